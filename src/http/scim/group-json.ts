// Group bodies are streamed: a 100,000-member group is written page by page of members, never held
// in memory as one object or one string.
import { Readable } from 'node:stream'
import { type ProjectionOptions, projectResource } from '../../scim/project.js'
import { GROUP_SCHEMA, LIST_SCHEMA } from '../../scim/schemas/index.js'
import type { ScimResource } from '../../scim/schemas/types.js'
import type { MemberView } from '../../store/members.js'

/** One group: its resource (meta last) and, when returned, where its members come from. */
export interface GroupBody {
  readonly resource: ScimResource
  /** Pages of member JSON texts (see memberJson). */
  readonly members?: () => AsyncIterable<string[]>
}

const TEMPLATE_MEMBER = { value: 'v', $ref: 'r', display: 'd', type: 'User' }

/**
 * The member sub-attributes a projection returns, found by projecting a template through the registry
 * once; undefined when members are not returned at all (then the membership table is never read).
 */
export function memberKeys(
  projection: ProjectionOptions,
): readonly (keyof typeof TEMPLATE_MEMBER)[] | undefined {
  const template = { schemas: [GROUP_SCHEMA], id: 'x', displayName: 'x', members: [TEMPLATE_MEMBER] }
  const members = projectResource('Group', template, projection).members as
    | Record<string, unknown>[]
    | undefined
  const first = members?.[0]
  return first ? (Object.keys(first) as (keyof typeof TEMPLATE_MEMBER)[]) : undefined
}

/**
 * A writer of member JSON for the projected keys. A 100,000-member group writes this 100,000 times,
 * so the key choice is made once and each member is one template string.
 */
export function memberWriter(keys: readonly string[], base: string): (member: MemberView) => string {
  const parts: ((m: MemberView) => string)[] = []
  for (const key of keys) {
    if (key === 'value') parts.push((m) => `"value":${JSON.stringify(m.value)}`)
    if (key === '$ref') parts.push((m) => `"$ref":${JSON.stringify(`${base}/Users/${m.value}`)}`)
    if (key === 'display') parts.push((m) => `"display":${JSON.stringify(m.display)}`)
    if (key === 'type') parts.push(() => '"type":"User"')
  }
  return (member) => `{${parts.map((part) => part(member)).join(',')}}`
}

/** The JSON text of one group, members inserted before `meta`. Empty groups have no `members`. */
async function* groupText(body: GroupBody): AsyncGenerator<string> {
  const { meta, ...head } = body.resource
  const fields = JSON.stringify(head).slice(1, -1)
  yield `{${fields}`
  let opened = false
  if (body.members) {
    for await (const page of body.members()) {
      if (page.length === 0) continue
      yield `${opened ? ',' : `${fields ? ',' : ''}"members":[`}${page.join(',')}`
      opened = true
    }
  }
  if (opened) yield ']'
  if (meta !== undefined) yield `${fields || opened ? ',' : ''}"meta":${JSON.stringify(meta)}`
  yield '}'
}

export function streamGroup(body: GroupBody): Readable {
  return Readable.from(groupText(body), { objectMode: false })
}

/** A ListResponse of streamed resources (users are bodies without members). */
export function streamList(bodies: readonly GroupBody[], total: number, startIndex: number): Readable {
  return Readable.from(
    (async function* () {
      yield `{"schemas":[${JSON.stringify(LIST_SCHEMA)}],"totalResults":${total},"startIndex":${startIndex},`
      yield `"itemsPerPage":${bodies.length},"Resources":[`
      for (const [index, body] of bodies.entries()) {
        if (index > 0) yield ','
        yield* groupText(body)
      }
      yield ']}'
    })(),
    { objectMode: false },
  )
}
