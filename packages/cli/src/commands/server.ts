// `sluice server`: not built yet (see the open issues).
export const summary = 'Run the log server: Elasticsearch-compatible ingest, DuckDB store, query API and UI'

export async function run(_args: string[]): Promise<number> {
  console.error('sluice server: not implemented yet')
  return 2
}
