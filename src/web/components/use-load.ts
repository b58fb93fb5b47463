// Loads data for a page and keeps its loading and error states; `reload` fetches again.
import { useCallback, useEffect, useState } from 'react'
import { ApiError } from '../api'

export interface Loaded<T> {
  readonly data: T | undefined
  readonly error: ApiError | undefined
  readonly loading: boolean
  reload(): void
}

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<ApiError>()
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what the loader depends on
  useEffect(() => {
    let current = true
    setLoading(true)
    load().then(
      (value) => {
        if (!current) return
        setData(value)
        setError(undefined)
        setLoading(false)
      },
      (reason: unknown) => {
        if (!current) return
        setError(reason instanceof ApiError ? reason : new ApiError(0, 'error', String(reason)))
        setLoading(false)
      },
    )
    return () => {
      current = false
    }
  }, [...deps, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { data, error, loading, reload }
}
