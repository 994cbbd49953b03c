// `sluice dlq`: not built yet (see the open issues).
export const summary = 'Inspect and replay dead-lettered records'

export async function run(_args: string[]): Promise<number> {
  console.error('sluice dlq: not implemented yet')
  return 2
}
