// A small seeded PRNG (mulberry32): the same seed gives the same workload, byte for byte.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  int(maxExclusive: number): number
  pick<T>(items: readonly T[]): T
  chance(p: number): boolean
  hex(chars: number): string
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0 || 0x9e3779b9
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    chance: (p) => next() < p,
    hex(chars) {
      let s = ''
      while (s.length < chars) s += int(0x10000).toString(16).padStart(4, '0')
      return s.slice(0, chars)
    },
  }
}
