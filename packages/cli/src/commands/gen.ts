// `sluice gen`: not built yet (see the open issues).
export const summary = 'Write a realistic Kubernetes container log workload (seeded)'

export async function run(_args: string[]): Promise<number> {
  console.error('sluice gen: not implemented yet')
  return 2
}
