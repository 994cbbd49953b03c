// Node metric inputs: cpu, mem, disk, netif.
import type { AnyInputPlugin } from '../../plugin.ts'

export const nodeInputs: AnyInputPlugin[] = []
