// `sluice agent`: not built yet (see the open issues).
export const summary = 'Run the agent on a Fluent Bit config (classic, YAML, or a ConfigMap manifest)'

export async function run(_args: string[]): Promise<number> {
  console.error('sluice agent: not implemented yet')
  return 2
}
