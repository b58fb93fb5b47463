// SCIM filter expressions (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2): a tokenizer and a
// recursive-descent parser for the whole grammar of Figure 1, producing a readonly AST. Every problem,
// including hostile input (too long, too deep), becomes an `invalidFilter` error that points at it.
import { unquotedFilterValue } from './deviations.js'
import { invalidFilter } from './errors.js'
import { isStorableText } from './text.js'

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'
export type FilterValue = string | number | boolean | null

export type FilterNode =
  | {
      readonly kind: 'compare'
      readonly attribute: string
      readonly op: CompareOp
      readonly value: FilterValue
    }
  | { readonly kind: 'present'; readonly attribute: string }
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly filter: FilterNode }
  | { readonly kind: 'valuePath'; readonly attribute: string; readonly filter: FilterNode }

export interface FilterOptions {
  /** Longest accepted filter, in characters (default 4096). */
  maxLength?: number
  /** Deepest accepted nesting of `(…)`, `not (…)` and `attr[…]` (default 16). */
  maxDepth?: number
}

export const DEFAULT_MAX_FILTER_LENGTH = 4096
export const DEFAULT_MAX_FILTER_DEPTH = 16

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])

// ATTRNAME = ALPHA *(nameChar), plus `$ref` (https://www.rfc-editor.org/rfc/rfc7643#section-2.1).
const NAME = '(?:[A-Za-z][A-Za-z0-9_-]*|\\$ref)'
const ATTR_NAME_AND_SUB = new RegExp(`^${NAME}(?:\\.${NAME})?$`)
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/
const SUB_ATTR_NAME = new RegExp(`^${NAME}$`)
// A JSON number (https://www.rfc-editor.org/rfc/rfc8259#section-6).
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/

type Token =
  | { readonly type: '(' | ')' | '[' | ']' | 'end'; readonly pos: number; readonly text: string }
  | { readonly type: 'word'; readonly pos: number; readonly text: string }
  | { readonly type: 'string'; readonly pos: number; readonly text: string; readonly value: string }

export function parseFilter(input: string, options: FilterOptions = {}): FilterNode {
  const maxLength = options.maxLength ?? DEFAULT_MAX_FILTER_LENGTH
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_FILTER_DEPTH
  if (typeof input !== 'string') throw invalidFilter('The filter must be a string')
  if (input.length > maxLength) {
    throw invalidFilter(`The filter is ${input.length} characters long; the limit is ${maxLength}`)
  }
  if (!isStorableText(input))
    throw invalidFilter('The filter contains a NUL character or an unpaired surrogate')
  const tokens = tokenize(input)
  if (tokens[0]?.type === 'end') throw invalidFilter('The filter is empty')
  return new Parser(tokens, maxDepth).parse()
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const c = input[i]!
    if (/\s/.test(c)) {
      i++
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ type: c, pos: i, text: c })
      i++
    } else if (c === '"') {
      const end = scanString(input, i)
      tokens.push({ type: 'string', pos: i, text: input.slice(i, end.next), value: end.value })
      i = end.next
    } else {
      const start = i
      while (i < input.length && !/[\s()[\]"]/.test(input[i]!)) i++
      tokens.push({ type: 'word', pos: start, text: input.slice(start, i) })
    }
  }
  tokens.push({ type: 'end', pos: input.length, text: 'end of filter' })
  return tokens
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
}

/** A JSON string starting at `start` (https://www.rfc-editor.org/rfc/rfc8259#section-7). */
function scanString(input: string, start: number): { value: string; next: number } {
  let value = ''
  let i = start + 1
  while (i < input.length) {
    const c = input[i]!
    if (c === '"') {
      if (!isStorableText(value)) {
        throw invalidFilter(
          `The string at position ${start} contains a NUL character or an unpaired surrogate`,
        )
      }
      return { value, next: i + 1 }
    }
    if (c !== '\\') {
      value += c
      i++
      continue
    }
    const e = input[i + 1]
    if (e === 'u') {
      const hex = input.slice(i + 2, i + 6)
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) {
        throw invalidFilter(`Invalid \\u escape in string at position ${i}: expected 4 hex digits`)
      }
      value += String.fromCharCode(Number.parseInt(hex, 16))
      i += 6
    } else if (e !== undefined && ESCAPES[e] !== undefined) {
      value += ESCAPES[e]
      i += 2
    } else {
      throw invalidFilter(`Invalid escape "\\${e ?? ''}" in string at position ${i}`)
    }
  }
  throw invalidFilter(`Unterminated string starting at position ${start}`)
}

class Parser {
  private i = 0

  constructor(
    private readonly tokens: readonly Token[],
    private readonly maxDepth: number,
  ) {}

  parse(): FilterNode {
    const node = this.parseOr(0, false)
    const t = this.peek()
    if (t.type !== 'end') {
      const hint = t.type === ')' || t.type === ']' ? `Unbalanced "${t.text}"` : `Unexpected "${t.text}"`
      throw invalidFilter(`${hint} at position ${t.pos}; expected "and", "or" or the end of the filter`)
    }
    return node
  }

  private peek(): Token {
    return this.tokens[this.i]!
  }

  private next(): Token {
    const t = this.tokens[this.i]!
    if (t.type !== 'end') this.i++
    return t
  }

  private keyword(word: string): boolean {
    const t = this.peek()
    return t.type === 'word' && t.text.toLowerCase() === word
  }

  // logExp: "and" binds tighter than "or" (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2, Table 5).
  // Chains are built left-associatively in a loop, so their length never deepens the call stack.
  private parseOr(depth: number, inValuePath: boolean): FilterNode {
    let left = this.parseAnd(depth, inValuePath)
    while (this.keyword('or')) {
      this.next()
      left = { kind: 'or', left, right: this.parseAnd(depth, inValuePath) }
    }
    return left
  }

  private parseAnd(depth: number, inValuePath: boolean): FilterNode {
    let left = this.parseUnary(depth, inValuePath)
    while (this.keyword('and')) {
      this.next()
      left = { kind: 'and', left, right: this.parseUnary(depth, inValuePath) }
    }
    return left
  }

  private parseUnary(depth: number, inValuePath: boolean): FilterNode {
    const t = this.peek()
    if (t.type === '(') {
      this.next()
      const inner = this.parseOr(this.deeper(depth, t), inValuePath)
      this.expect(')', t)
      return inner
    }
    if (this.keyword('not')) {
      this.next()
      const open = this.peek()
      if (open.type !== '(')
        throw invalidFilter(`Expected "(" after "not" at position ${open.pos}, found ${show(open)}`)
      this.next()
      const inner = this.parseOr(this.deeper(depth, t), inValuePath)
      this.expect(')', open)
      return { kind: 'not', filter: inner }
    }
    return this.parseAttributeExpression(depth, inValuePath)
  }

  /** Checked before every recursive descent, so hostile nesting fails fast instead of overflowing the stack. */
  private deeper(depth: number, at: Token): number {
    if (depth + 1 > this.maxDepth) {
      throw invalidFilter(`The filter nests deeper than ${this.maxDepth} levels at position ${at.pos}`)
    }
    return depth + 1
  }

  private expect(type: ')' | ']', open: Token): void {
    const t = this.peek()
    if (t.type !== type) {
      throw invalidFilter(
        `Expected "${type}" to close "${open.text}" opened at position ${open.pos}, found ${show(t)} at position ${t.pos}`,
      )
    }
    this.next()
  }

  // attrExp / valuePath (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2, Figure 1).
  private parseAttributeExpression(depth: number, inValuePath: boolean): FilterNode {
    const t = this.next()
    if (t.type !== 'word' || COMPARE_OPS.has(t.text.toLowerCase()) || isLogical(t.text)) {
      throw invalidFilter(`Expected an attribute name at position ${t.pos}, found ${show(t)}`)
    }
    const attribute = t.text
    if (inValuePath ? !SUB_ATTR_NAME.test(attribute) : !isAttrPath(attribute)) {
      const what = inValuePath ? 'a sub-attribute name inside "[…]"' : 'an attribute path'
      throw invalidFilter(`"${attribute}" at position ${t.pos} is not ${what}`)
    }
    const open = this.peek()
    if (open.type === '[') {
      // Value paths do not nest (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2, valFilter).
      if (inValuePath) throw invalidFilter(`Nested "[" at position ${open.pos}: value filters cannot nest`)
      this.next()
      const inner = this.parseOr(this.deeper(depth, open), true)
      this.expect(']', open)
      const node: FilterNode = { kind: 'valuePath', attribute, filter: inner }
      return this.peek().type === 'word' && this.peek().text.startsWith('.')
        ? this.entraValuePathSubAttribute(node)
        : node
    }
    return this.parseComparison(attribute, t)
  }

  private parseComparison(attribute: string, at: Token): FilterNode {
    const opToken = this.next()
    const op = opToken.type === 'word' ? opToken.text.toLowerCase() : ''
    if (op === 'pr') return { kind: 'present', attribute }
    if (!isCompareOp(op)) {
      throw invalidFilter(
        `Expected a comparison operator after "${at.text}" at position ${opToken.pos}, found ${show(opToken)}`,
      )
    }
    return { kind: 'compare', attribute, op, value: this.parseValue(opToken) }
  }

  // compValue = false / null / true / number / string (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2).
  private parseValue(opToken: Token): FilterValue {
    const t = this.next()
    if (t.type === 'string') return t.value
    if (t.type !== 'word') {
      throw invalidFilter(`Expected a value after "${opToken.text}" at position ${t.pos}, found ${show(t)}`)
    }
    const lower = t.text.toLowerCase()
    if (lower === 'true') return true
    if (lower === 'false') return false
    if (lower === 'null') return null
    if (NUMBER.test(t.text)) return Number(t.text)
    return unquotedFilterValue(t.text, t.pos)
  }

  /**
   * Microsoft Entra ID matches with `emails[type eq "work"].value eq "x"`, which is not RFC syntax
   * (a value path cannot be followed by a sub-attribute in a filter). It means the element whose type
   * is work has that value, so it is read as `emails[type eq "work" and value eq "x"]`.
   */
  private entraValuePathSubAttribute(node: FilterNode & { kind: 'valuePath' }): FilterNode {
    const t = this.next()
    const sub = t.text.slice(1)
    if (!SUB_ATTR_NAME.test(sub)) {
      throw invalidFilter(
        `"${t.text}" at position ${t.pos} is not a sub-attribute after "${node.attribute}[…]"`,
      )
    }
    const condition = this.parseComparison(sub, t)
    return {
      kind: 'valuePath',
      attribute: node.attribute,
      filter: { kind: 'and', left: node.filter, right: condition },
    }
  }
}

// attrPath = [URI ":"] ATTRNAME *1subAttr: the URI is everything up to the last colon.
function isAttrPath(text: string): boolean {
  const colon = text.lastIndexOf(':')
  return ATTR_NAME_AND_SUB.test(text.slice(colon + 1)) && (colon < 0 || URI.test(text.slice(0, colon)))
}

function isCompareOp(op: string): op is CompareOp {
  return COMPARE_OPS.has(op)
}

function isLogical(word: string): boolean {
  const lower = word.toLowerCase()
  return lower === 'and' || lower === 'or' || lower === 'pr'
}

function show(t: Token): string {
  return t.type === 'end' ? 'the end of the filter' : `"${t.text}"`
}

/** Renders a node in RFC syntax with explicit parentheses; for debugging and tests. */
export function formatFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'compare':
      return `${node.attribute} ${node.op} ${JSON.stringify(node.value)}`
    case 'present':
      return `${node.attribute} pr`
    case 'and':
    case 'or':
      return `(${formatFilter(node.left)} ${node.kind} ${formatFilter(node.right)})`
    case 'not':
      return `not (${formatFilter(node.filter)})`
    case 'valuePath':
      return `${node.attribute}[${formatFilter(node.filter)}]`
    default: {
      const unreachable: never = node
      return unreachable
    }
  }
}
