// Basic outputs: stdout, file, null, http.
import type { AnyOutputPlugin } from '../../plugin.ts'
import file from './file.ts'
import http from './http.ts'
import nullOutput from './null.ts'
import stdout from './stdout.ts'

export const basicOutputs: AnyOutputPlugin[] = [stdout, file, nullOutput, http]
