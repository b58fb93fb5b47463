// Text that every store can hold. PostgreSQL's text and jsonb reject U+0000 and lone UTF-16
// surrogates (they are not valid UTF-8), so such values are refused at the edge, on both dialects
// alike, instead of failing inside the database.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text)
}
