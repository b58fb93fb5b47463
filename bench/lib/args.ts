// Command-line options shared by the benchmarks: --dialect=sqlite,postgres --runs=5 --run-seconds=3 ...
export function numberArg(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`)
  return value
}

/** A string option given as `--name=value` or `--name value`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`))
  if (i < 0) return fallback
  const a = process.argv[i] as string
  const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : process.argv[i + 1]
  if (value === undefined) throw new Error(`--${name} needs a value`)
  return value
}
