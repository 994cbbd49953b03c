// Fluent forward output.
import type { AnyOutputPlugin } from '../../plugin.ts'

export const forwardOutputs: AnyOutputPlugin[] = []
