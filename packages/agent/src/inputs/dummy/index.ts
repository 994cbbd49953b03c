import type { AnyInputPlugin } from '../../plugin.ts'

export const dummyInputs: AnyInputPlugin[] = []
