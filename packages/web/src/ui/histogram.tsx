// Hits over time, stacked by a field (level by default); dragging zooms the time range.
import { useMemo } from 'react'
import type { HistogramResponse } from '../lib/api.ts'
import { histogramSeries } from '../lib/histogram-series.ts'
import { useApp } from './app-context.tsx'
import { Chart } from './chart.tsx'

export function Histogram({
  data,
  split,
  splitFields,
  onSplitChange,
  onZoom,
  onFilter,
}: {
  data: HistogramResponse
  split: string
  splitFields: string[]
  onSplitChange: (f: string) => void
  onZoom: (fromMs: number, toMs: number) => void
  /** Filter for a split value (legend click). */
  onFilter: (field: string, value: string) => void
}) {
  const { t } = useApp()
  const { xs, series } = useMemo(
    () => histogramSeries(data, t('hist.other'), t('hist.count'), t('hist.none')),
    [data, t],
  )
  const options = splitFields.includes(split) ? splitFields : [split, ...splitFields]
  return (
    <section className="panel histogram" aria-label={t('hist.title')}>
      <header className="panel-head">
        <h2>{t('hist.title')}</h2>
        <span className="muted small">{t('hist.interval', { interval: data.interval })}</span>
        <span className="muted small hide-narrow">{t('hist.zoomHint')}</span>
        <label className="split-select">
          {t('hist.split')}
          <select aria-label={t('hist.split')} value={split} onChange={(e) => onSplitChange(e.target.value)}>
            <option value="">{t('hist.none')}</option>
            {options.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
      </header>
      <Chart
        xs={xs}
        series={series}
        kind="bars"
        height={150}
        onZoom={onZoom}
        onPick={(_label, x) => onZoom(x * 1000, x * 1000 + data.intervalMs)}
        legendTitle={(l) =>
          split && l !== t('hist.other') && l !== t('hist.none') && l !== t('hist.count')
            ? t('sidebar.filterIn', { value: l })
            : null
        }
        onLegendClick={(l) => onFilter(split, l)}
        ariaLabel={t('hist.title')}
      />
    </section>
  )
}
