import type { AnyInputPlugin } from '../../plugin.ts'

export const tailInputs: AnyInputPlugin[] = []
