// Core inputs: tail, dummy.
import type { AnyInputPlugin } from '../plugin.ts'
import { dummyInputs } from './dummy/index.ts'
import { tailInputs } from './tail/index.ts'

export const coreInputs: AnyInputPlugin[] = [...tailInputs, ...dummyInputs]
