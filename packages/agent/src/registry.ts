// The explicit registry of every plugin Sluice has. Nothing scans the filesystem: a plugin exists
// when it is listed here (through its area's index).

import { kubernetesFilters } from './filters/kubernetes/index.ts'
import { recordFilters } from './filters/index.ts'
import { coreInputs } from './inputs/index.ts'
import { kubernetesEventInputs } from './inputs/kubernetes-events/index.ts'
import { nodeInputs } from './inputs/node/index.ts'
import { basicOutputs } from './outputs/basic/index.ts'
import { cloudwatchOutputs } from './outputs/cloudwatch/index.ts'
import { esOutputs } from './outputs/es/index.ts'
import { forwardOutputs } from './outputs/forward/index.ts'
import type { AnyFilterPlugin, AnyInputPlugin, AnyOutputPlugin, AnyPlugin } from './plugin.ts'

export const inputs: readonly AnyInputPlugin[] = [...coreInputs, ...nodeInputs, ...kubernetesEventInputs]
export const filters: readonly AnyFilterPlugin[] = [...recordFilters, ...kubernetesFilters]
export const outputs: readonly AnyOutputPlugin[] = [...basicOutputs, ...esOutputs, ...forwardOutputs, ...cloudwatchOutputs]

export function findPlugin(kind: 'input' | 'filter' | 'output', name: string): AnyPlugin | undefined {
  const list: readonly AnyPlugin[] = kind === 'input' ? inputs : kind === 'filter' ? filters : outputs
  const n = name.toLowerCase()
  return list.find((p) => p.name === n)
}
