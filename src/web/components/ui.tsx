// Small building blocks shared by the pages: fields with their error, states, times, badges, paging.
import { type InputHTMLAttributes, type ReactNode, useId } from 'react'
import type { ApiError } from '../api'

export function Field({
  label,
  error,
  hint,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string | undefined; hint?: ReactNode }) {
  const id = useId()
  const described = error ? `${id}-error` : hint ? `${id}-hint` : undefined
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={described} {...input} />
      {hint && !error && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  )
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  )
}

export function ErrorMessage({ error, onRetry }: { error: ApiError | string; onRetry?: () => void }) {
  return (
    <div className="alert alert-error" role="alert">
      <span>{typeof error === 'string' ? error : error.message}</span>
      {onRetry && (
        <button type="button" className="button-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  )
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
// One format for every time in the console: the viewer's locale, to the second, with the time zone.
const absolute = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
})

/** A time in the console's one format ("4 Dec 2026, 20:41:07 UTC" in the viewer's locale and zone). */
export function formatTime(value: string | number | Date): string {
  return absolute.format(new Date(value))
}

function ago(date: Date): string {
  const seconds = Math.round((date.getTime() - Date.now()) / 1000)
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ]
  const [unit, size] = units.find(([, s]) => Math.abs(seconds) >= s) ?? ['second', 1]
  return Math.abs(seconds) < 10 ? 'just now' : relative.format(Math.round(seconds / size), unit)
}

/** A time in the one format, with how long ago it was on hover. */
export function Time({ value, empty = '—' }: { value: string | null; empty?: string }) {
  if (!value) return <span className="muted">{empty}</span>
  const date = new Date(value)
  return (
    <time dateTime={value} title={ago(date)}>
      {absolute.format(date)}
    </time>
  )
}

export function Badge({
  tone = 'neutral',
  children,
}: {
  tone?: 'good' | 'bad' | 'neutral' | 'info'
  children: ReactNode
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>
}

export function Pager({
  total,
  limit,
  offset,
  onChange,
  noun,
}: {
  total: number
  limit: number
  offset: number
  onChange(offset: number): void
  noun: string
}) {
  if (total === 0) return null
  const last = Math.min(offset + limit, total)
  return (
    <nav className="pager" aria-label={`${noun} pages`}>
      <span>
        {offset + 1}–{last} of {total} {noun}
      </span>
      <button
        type="button"
        className="button-small"
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - limit))}
      >
        Previous
      </button>
      <button
        type="button"
        className="button-small"
        disabled={last >= total}
        onClick={() => onChange(offset + limit)}
      >
        Next
      </button>
    </nav>
  )
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children && <div className="page-intro">{children}</div>}
    </header>
  )
}
