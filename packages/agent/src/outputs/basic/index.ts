// Basic outputs: stdout, file, null, http.
import type { AnyOutputPlugin } from '../../plugin.ts'

export const basicOutputs: AnyOutputPlugin[] = []
