// kubernetes_events input.
import type { AnyInputPlugin } from '../../plugin.ts'

export const kubernetesEventInputs: AnyInputPlugin[] = []
