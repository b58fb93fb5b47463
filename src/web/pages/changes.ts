// A one-line summary of an event's `changes` (attribute names, member ids; never values of secrets).
export function summarizeChanges(changes: Record<string, unknown> | null, max = 4): string {
  if (!changes) return ''
  const parts: string[] = []
  for (const [key, value] of Object.entries(changes)) {
    if (Array.isArray(value)) {
      if (value.length === 0) continue
      const shown = value.slice(0, max).map(String).join(', ')
      parts.push(`${key}: ${shown}${value.length > max ? ` +${value.length - max} more` : ''}`)
    } else if (value === true) parts.push(key)
    else if (value !== false && value !== null && typeof value !== 'object')
      parts.push(`${key}: ${String(value)}`)
    else if (value && typeof value === 'object') parts.push(key)
  }
  return parts.join(' · ')
}
