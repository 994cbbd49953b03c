// `sluice plugins`: not built yet (see the open issues).
export const summary = "List plugins, or show one plugin's options"

export async function run(_args: string[]): Promise<number> {
  console.error('sluice plugins: not implemented yet')
  return 2
}
