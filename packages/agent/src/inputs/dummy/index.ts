import type { AnyInputPlugin } from '../../plugin.ts'
import { dummyInput } from './dummy.ts'

export const dummyInputs: AnyInputPlugin[] = [dummyInput]
