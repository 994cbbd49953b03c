// record_modifier: append fixed fields, remove keys, keep only listed keys, add a UUID
// (Fluent Bit filter_record_modifier). Allowlist_key (alias Whitelist_key) and Remove_key take
// top-level key names; when both are set the allowlist applies first. `Record KEY VALUE` sets a
// string value (overwriting an existing key, so the record never carries the key twice).

import { randomUUID } from 'node:crypto'
import { defineFilter } from '../../plugin.ts'
import { expectArgs } from '../args.ts'
import { withoutKeys } from '../rebuild.ts'

export default defineFilter({
  name: 'record_modifier',
  description: 'Append fixed fields, remove keys, keep only allowed keys, add a UUID.',
  options: {
    record: { type: 'str', multiple: true, description: '`KEY VALUE`: append KEY with the string VALUE.' },
    remove_key: { type: 'str', multiple: true, description: 'Remove this key (repeatable).' },
    allowlist_key: {
      type: 'str',
      multiple: true,
      aliases: ['whitelist_key'],
      description: 'Keep only the listed keys (repeatable); all others are removed.',
    },
    uuid_key: { type: 'str', description: 'Add this key with a random UUID v4 per record.' },
  },
  init(o) {
    const record = o.record.map((t) => expectArgs('record', t, 2, 'KEY VALUE') as [string, string])
    const remove = new Set(o.remove_key.map((k) => k.trim()))
    const allow = o.allowlist_key.length > 0 ? new Set(o.allowlist_key.map((k) => k.trim())) : undefined
    return {
      record,
      remove,
      removed: (k: string) => remove.has(k),
      allow,
      notAllowed: allow ? (k: string) => !allow.has(k) : undefined,
      uuid: o.uuid_key,
    }
  },
  filter(events, _tag, s) {
    for (const e of events) {
      let b = e.body
      if (s.allow) b = withoutKeys(b, s.notAllowed!)
      if (s.remove.size > 0) b = withoutKeys(b, s.removed)
      e.body = b
      for (const [k, v] of s.record) b[k] = v
      if (s.uuid) b[s.uuid] = randomUUID()
    }
    return events
  },
})
