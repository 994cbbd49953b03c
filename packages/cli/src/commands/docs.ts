// `sluice docs`: not built yet (see the open issues).
export const summary = 'Regenerate the docs generated from option tables'

export async function run(_args: string[]): Promise<number> {
  console.error('sluice docs: not implemented yet')
  return 2
}
