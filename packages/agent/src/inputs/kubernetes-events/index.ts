// kubernetes_events input.
import type { AnyInputPlugin } from '../../plugin.ts'
import kubernetesEvents from './kubernetes-events.ts'

export const kubernetesEventInputs: AnyInputPlugin[] = [kubernetesEvents]
