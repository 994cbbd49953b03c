// Number and size formatting shared by charts and tables; locale-aware through Intl.

export function formatCount(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n)
}

export function formatCompact(n: number, locale: string): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(n)
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB']
export function formatBytes(n: number): string {
  let v = n
  let u = 0
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024
    u++
  }
  return `${u === 0 ? v : v.toFixed(1)} ${UNITS[u]}`
}
