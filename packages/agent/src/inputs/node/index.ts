// Node metric inputs: cpu, mem, disk, netif (seed 000: "cpu, memory, disk").
import type { AnyInputPlugin } from '../../plugin.ts'
import cpu from './cpu.ts'
import disk from './disk.ts'
import mem from './mem.ts'
import netif from './netif.ts'

export const nodeInputs: AnyInputPlugin[] = [cpu, mem, disk, netif]
