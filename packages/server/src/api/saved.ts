// Saved searches: a small JSON file in the data directory, replaced atomically (write to a temporary
// file, fsync, rename) so a crash leaves either the old or the new list, never a torn one.

import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { HttpError } from '../http/util.ts'

export interface SavedSearch {
  id: string
  name: string
  query: string
  from: string
  to: string
  columns: string[]
  created: string
}

export class SavedSearches {
  private readonly path: string
  private items: SavedSearch[] = []

  constructor(dir: string) {
    this.path = join(dir, 'saved-searches.json')
    if (existsSync(this.path)) {
      try {
        const v = JSON.parse(readFileSync(this.path, 'utf8')) as { items?: SavedSearch[] }
        this.items = Array.isArray(v.items) ? v.items : []
      } catch (e) {
        throw new Error(`cannot read saved searches ${this.path}: ${(e as Error).message}`)
      }
    }
  }

  list(): SavedSearch[] {
    return this.items
  }

  add(body: Record<string, unknown>): SavedSearch {
    const need = (k: string): string => {
      const v = body[k]
      if (typeof v !== 'string') throw new HttpError(400, 'bad_request', `'${k}' is required and must be a string`)
      return v
    }
    const name = need('name')
    if (name.trim() === '') throw new HttpError(400, 'bad_request', `'name' must not be empty`)
    const query = typeof body.query === 'string' ? body.query : ''
    const columns = body.columns ?? []
    if (!Array.isArray(columns) || columns.some((c) => typeof c !== 'string'))
      throw new HttpError(400, 'bad_request', `'columns' must be an array of field names`)
    const item: SavedSearch = {
      id: randomBytes(8).toString('hex'),
      name,
      query,
      from: need('from'),
      to: need('to'),
      columns: columns as string[],
      created: new Date().toISOString(),
    }
    this.items = [...this.items, item]
    this.save()
    return item
  }

  delete(id: string): boolean {
    const before = this.items.length
    this.items = this.items.filter((i) => i.id !== id)
    if (this.items.length === before) return false
    this.save()
    return true
  }

  private save(): void {
    const tmp = `${this.path}.tmp`
    const fd = openSync(tmp, 'w')
    try {
      writeSync(fd, JSON.stringify({ items: this.items }, null, 2))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.path)
  }
}
