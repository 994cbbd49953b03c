// Elasticsearch and OpenSearch outputs.
import type { AnyOutputPlugin } from '../../plugin.ts'
import { makeEsOutput } from './plugin.ts'

export const esOutputs: AnyOutputPlugin[] = [
  makeEsOutput(
    'es',
    'Elasticsearch (and Amazon OpenSearch Service) through the bulk API; refused records go to a dead-letter queue',
  ),
  makeEsOutput(
    'opensearch',
    'OpenSearch (and Amazon OpenSearch Service/Serverless) through the bulk API; refused records go to a dead-letter queue',
  ),
]
