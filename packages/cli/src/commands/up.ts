// `sluice up`: not built yet (see the open issues).
export const summary = 'Run the whole system on this machine: server, web UI, agent and a demo workload'

export async function run(_args: string[]): Promise<number> {
  console.error('sluice up: not implemented yet')
  return 2
}
