// Elasticsearch and OpenSearch outputs.
import type { AnyOutputPlugin } from '../../plugin.ts'

export const esOutputs: AnyOutputPlugin[] = []
