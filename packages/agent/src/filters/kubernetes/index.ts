// kubernetes metadata filter.
import type { AnyFilterPlugin } from '../../plugin.ts'

export const kubernetesFilters: AnyFilterPlugin[] = []
