import { describe, expect, it } from 'vitest'
import { isStorableText } from './text.js'

describe('isStorableText', () => {
  it.each([
    ['plain text', 'joy@contoso.com', true],
    ['non-ASCII and emoji (surrogate pairs)', 'Élodie 👩🏽‍💻', true],
    ['a NUL character', 'a\u0000b', false],
    ['a lone high surrogate', 'x\ud800y', false],
    ['a lone low surrogate', 'x\udc00', false],
  ])('%s → %s', (_name, text, expected) => {
    expect(isStorableText(text)).toBe(expected)
  })
})
