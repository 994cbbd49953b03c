// Core inputs: tail, dummy.
import type { AnyInputPlugin } from '../plugin.ts'

export const coreInputs: AnyInputPlugin[] = []
