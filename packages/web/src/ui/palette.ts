// Series colours: levels get their conventional colours; other values take a fixed palette in order,
// chosen to stay distinguishable in both themes.
const LEVEL_COLORS: Record<string, string> = {
  error: '#d93f3c',
  fatal: '#8e1b1b',
  critical: '#8e1b1b',
  warn: '#e0a100',
  warning: '#e0a100',
  info: '#3a87d9',
  debug: '#8a94a6',
  trace: '#b3bac6',
  __other__: '#9aa3b5',
}
const PALETTE = [
  '#3a87d9',
  '#2fa37b',
  '#e0a100',
  '#d93f3c',
  '#8a5cd1',
  '#e0699a',
  '#39a9b5',
  '#a07d3b',
  '#5f6f8c',
  '#96b341',
]

export function seriesColor(label: string, index: number): string {
  return LEVEL_COLORS[label.toLowerCase()] ?? PALETTE[index % PALETTE.length]!
}
