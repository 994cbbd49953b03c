// kubernetes metadata filter.
import type { AnyFilterPlugin } from '../../plugin.ts'
import kubernetes from './kubernetes.ts'

export const kubernetesFilters: AnyFilterPlugin[] = [kubernetes]
