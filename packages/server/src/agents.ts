// Who ships to this server: one entry per client (user agent and address, or token name for
// authenticated clients; the forward input uses the peer's hostname from its handshake or address).

export interface AgentInfo {
  name: string
  records_total: number
  last_seen: string
}

export class AgentTracker {
  private readonly agents = new Map<string, { records: number; last: number }>()
  /** Bounded: a flood of distinct names (say, one per source port) cannot grow memory without end. */
  private readonly max: number
  constructor(max = 1000) {
    this.max = max
  }

  seen(name: string, records: number): void {
    const a = this.agents.get(name)
    if (a) {
      a.records += records
      a.last = Date.now()
      return
    }
    if (this.agents.size >= this.max) {
      let oldest: string | undefined
      let t = Number.POSITIVE_INFINITY
      for (const [k, v] of this.agents) if (v.last < t) [oldest, t] = [k, v.last]
      if (oldest !== undefined) this.agents.delete(oldest)
    }
    this.agents.set(name, { records, last: Date.now() })
  }

  list(): AgentInfo[] {
    return [...this.agents]
      .map(([name, a]) => ({ name, records_total: a.records, last_seen: new Date(a.last).toISOString() }))
      .sort((x, y) => (x.name < y.name ? -1 : 1))
  }
}
