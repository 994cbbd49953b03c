// Inline SVG icons (no icon font, no emoji: both render as empty boxes on machines without the font).
const common = {
  width: 14,
  height: 14,
  viewBox: '0 0 16 16',
  'aria-hidden': true,
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.6,
} as const

export function ClockIcon() {
  return (
    <svg {...common} aria-hidden="true">
      <circle cx="8" cy="8" r="6.2" />
      <path d="M8 4.5V8l2.5 1.5" strokeLinecap="round" />
    </svg>
  )
}

export function KeyIcon() {
  return (
    <svg {...common} aria-hidden="true">
      <circle cx="5" cy="8" r="2.8" />
      <path d="M7.8 8H14M12 8v2.5M10 8v1.8" strokeLinecap="round" />
    </svg>
  )
}
