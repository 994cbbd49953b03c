// Commits positions in order of emission, only once delivered: position N becomes durable when the
// batch that carried it and every batch emitted before it were acknowledged (STYLE.md §4).

export class OrderedCommits<T> {
  private readonly queue: { value: T; done: boolean }[] = []
  private readonly commit: (value: T) => void

  constructor(commit: (value: T) => void) {
    this.commit = commit
  }

  /** Registers a position; call the returned function when its batch is acknowledged. */
  add(value: T): () => void {
    const slot = { value, done: false }
    this.queue.push(slot)
    return () => {
      slot.done = true
      let last: T | undefined
      let advanced = false
      while (this.queue.length > 0 && this.queue[0]!.done) {
        last = this.queue.shift()!.value
        advanced = true
      }
      if (advanced) this.commit(last as T)
    }
  }

  get pending(): number {
    return this.queue.length
  }
}
