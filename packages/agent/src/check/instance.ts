// A plugin instance as `sluice check` sees it: the section, the plugin (when it exists) and the raw
// entries by key, for checks that look at several instances at once (routing, pitfalls).

import type { Section } from '@sluice/core/config/model.ts'
import type { ConfigEntry } from '@sluice/core/options.ts'
import type { AnyPlugin } from '../plugin.ts'

export type Kind = 'input' | 'filter' | 'output'

export interface Instance {
  readonly kind: Kind
  readonly name: string
  /** `input.tail.0` */
  readonly id: string
  readonly section: Section
  readonly plugin: AnyPlugin | undefined
  /** Raw entries by lower-case key (last one wins), for the routing and pitfall checks. */
  readonly raw: Map<string, ConfigEntry>
}

/** The last entry with this key (lower case), as Fluent Bit keeps the last value. */
export function lastEntry(entries: readonly ConfigEntry[], key: string): ConfigEntry | undefined {
  let found: ConfigEntry | undefined
  for (const e of entries) if (e.key.toLowerCase() === key) found = e
  return found
}

/** Fluent Bit's true spellings (On, true, yes, 1), for raw values. */
export function isOn(value: string | undefined): boolean {
  return value !== undefined && ['on', 'true', 'yes', '1'].includes(value.trim().toLowerCase())
}

/** Fluent Bit's false spellings (Off, false, no, 0), for raw values. */
export function isOff(value: string | undefined): boolean {
  return value !== undefined && ['off', 'false', 'no', '0'].includes(value.trim().toLowerCase())
}
