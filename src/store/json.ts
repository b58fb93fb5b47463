// JSON columns are text on SQLite and jsonb on PostgreSQL. Both accept a JSON string on write; on
// read SQLite gives the text back and pg gives the parsed value. We only store objects and arrays.

export function toJson(value: unknown): string {
  return JSON.stringify(value)
}

export function fromJson<T = Record<string, unknown>>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}
