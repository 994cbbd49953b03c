// A dashboard panel: title, an "Open in Explore" link with the panel's query, and its content.
import type { ReactNode } from 'react'
import { exploreUrl } from '../lib/url-state.ts'
import { useApp } from './app-context.tsx'
import { navigateTo } from './use-url-state.ts'

export function Panel({
  title,
  query,
  from,
  to,
  children,
  wide,
}: {
  title: string
  query?: string
  from: string
  to: string
  children: ReactNode
  wide?: boolean
}) {
  const { t } = useApp()
  const href = query !== undefined ? exploreUrl(query, from, to) : undefined
  return (
    <section className={`panel${wide ? ' wide' : ''}`} aria-label={title}>
      <header className="panel-head">
        <h2>{title}</h2>
        <span className="spacer" />
        {href ? (
          <a
            className="link small"
            href={href}
            onClick={(e) => {
              e.preventDefault()
              navigateTo(href)
            }}
          >
            {t('dash.openInExplore')} →
          </a>
        ) : null}
      </header>
      {children}
    </section>
  )
}

/** A horizontal bar list (top-N values), each row clicking through to Explore. */
export function BarList({
  items,
  from,
  to,
  queryOf,
  locale,
}: {
  items: { label: string; count: number }[]
  from: string
  to: string
  /** Explore query for an item; without it the items are not links. */
  queryOf?: (label: string) => string
  locale: string
}) {
  const max = Math.max(1, ...items.map((i) => i.count))
  const nf = new Intl.NumberFormat(locale)
  return (
    <ul className="bar-list">
      {items.map((i) => {
        const inner = (
          <>
            <span className="bar" style={{ width: `${(i.count / max) * 100}%` }} aria-hidden="true" />
            <span className="bar-label" title={i.label}>
              {i.label}
            </span>
            <span className="bar-count">{nf.format(i.count)}</span>
          </>
        )
        if (!queryOf)
          return (
            <li key={i.label}>
              <span className="bar-item">{inner}</span>
            </li>
          )
        const href = exploreUrl(queryOf(i.label), from, to)
        return (
          <li key={i.label}>
            <a
              className="bar-item"
              href={href}
              onClick={(e) => {
                e.preventDefault()
                navigateTo(href)
              }}
            >
              {inner}
            </a>
          </li>
        )
      })}
    </ul>
  )
}
