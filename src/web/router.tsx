// A tiny History API router: the console has a handful of routes, so a path match is all it needs.
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from 'react'

/** Where the console opens: the page the Entra guide names. */
export const HOME = '/platform/security/api-keys'

const listeners = new Set<() => void>()

export function navigate(to: string, { replace = false, scroll = true } = {}) {
  if (replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  for (const listener of listeners) listener()
  if (scroll) window.scrollTo(0, 0)
}

/** The current location (path + search), re-rendering on navigation and on back/forward. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0)
  useEffect(() => {
    const update = () => setTick((t) => t + 1)
    listeners.add(update)
    window.addEventListener('popstate', update)
    return () => {
      listeners.delete(update)
      window.removeEventListener('popstate', update)
    }
  }, [])
  return {
    path: window.location.pathname.replace(/\/+$/, '') || '/',
    search: new URLSearchParams(window.location.search),
  }
}

export type SearchValues = Readonly<Record<string, string | number | boolean | null | undefined>>

/**
 * The query of the current address as page state (filters, paging). Setting it pushes a history
 * entry, so Back steps back through filters and pages; `replace` for changes that should not (typing
 * in a search box, correcting bad values). Empty, null and undefined values leave the address; the
 * page stays where it is scrolled. Focus stays put too: only a change of path moves it (layout.tsx).
 */
export function useSearchParams(): [
  URLSearchParams,
  (values: SearchValues | URLSearchParams, options?: { replace?: boolean }) => void,
] {
  const { search } = useLocation()
  const set = (values: SearchValues | URLSearchParams, { replace = false } = {}) => {
    const next = new URLSearchParams()
    const entries = values instanceof URLSearchParams ? [...values] : Object.entries(values)
    for (const [key, value] of entries)
      if (value !== undefined && value !== null && value !== '' && value !== false)
        next.set(key, value === true ? '1' : String(value))
    const text = next.toString()
    const to = window.location.pathname + (text ? `?${text}` : '')
    if (to === window.location.pathname + window.location.search) return
    navigate(to, { replace, scroll: false })
  }
  return [search, set]
}

/** Matches `/a/:b` against a path; returns the params or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const names: string[] = []
  const regex = new RegExp(
    `^${pattern.replace(/:(\w+)/g, (_m, name: string) => {
      names.push(name)
      return '([^/]+)'
    })}$`,
  )
  const found = regex.exec(path)
  if (!found) return undefined
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]))
  } catch {
    // A malformed escape (`%E0%A4%A`) matches no page rather than throwing during render.
    return undefined
  }
}

/**
 * Where sign-in may send the person afterwards: a path of this console (one leading slash, not `//host`
 * or `/\host`, which browsers read as another origin; no control characters), else undefined. The
 * same rule as the server's (sso/addresses.ts), so a crafted `next` never leaves the console.
 */
export function safeNext(next: string | null | undefined): string | undefined {
  if (!next || next.length > 1024 || !next.startsWith('/') || next.startsWith('//')) return undefined
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return undefined
  try {
    const url = new URL(next, 'http://muster.invalid')
    if (url.origin !== 'http://muster.invalid') return undefined
    decodeURIComponent(url.pathname)
    return url.pathname + url.search + url.hash
  } catch {
    return undefined
  }
}

/** A real link (so it opens in a new tab, copies, and works with the keyboard) that navigates in place. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event)
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return
    event.preventDefault()
    navigate(href)
  }
  return <a href={href} onClick={handle} {...rest} />
}
