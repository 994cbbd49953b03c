// The tail input (reads /var/log/containers/*.log on every node).
import type { AnyInputPlugin } from '../../plugin.ts'
import { tail } from './tail.ts'

export const tailInputs: AnyInputPlugin[] = [tail]
