// Request bodies and small helpers shared by the Users conformance suites. URNs are spelt out
// literally (not imported from src/) so the tests replay exactly what the identity providers send.
import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { TestApp } from '../helpers/app.js'

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const CUSTOM_USER = 'urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes'
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'
export const SCIM_JSON = 'application/scim+json; charset=utf-8'
export const PUBLIC_BASE = 'https://muster.test/api/v1/scim/v2'

export const EMPTY_LIST = {
  schemas: [LIST_RESPONSE],
  totalResults: 0,
  Resources: [],
  startIndex: 1,
  itemsPerPage: 0,
}

let counter = 0
/** A name no other test of this file uses: `prefix_<pid>_<n>`. */
export function unique(prefix = 'user'): string {
  counter += 1
  return `${prefix}_${process.pid}_${counter}`
}

/** Entra's create body from ENTRA.md, with its own userName and externalId. */
export function entraUser(userName: string, externalId = unique('0a21f0f2')) {
  return {
    schemas: [CORE_USER, ENTERPRISE],
    externalId,
    userName,
    active: true,
    displayName: 'Joy Young',
    emails: [{ primary: true, type: 'work', value: 'jyoung@Contoso.com' }],
    meta: { resourceType: 'User' },
    name: { familyName: 'Young', givenName: 'Joy' },
    [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations' },
    roles: [],
  }
}

/** Okta's create body (Okta SCIM 2.0 guide): core schema only, a password, `groups: []`. */
export function oktaUser(userName: string, password: string, externalId = unique('00u')) {
  return {
    schemas: [CORE_USER],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId,
    groups: [],
    password,
    active: true,
  }
}

/** A minimal RFC user. */
export function plainUser(userName: string, extra: Record<string, unknown> = {}) {
  return { schemas: [CORE_USER], userName, ...extra }
}

export function patch(...Operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations }
}

/** POSTs a user and returns its created resource (fails the test unless 201). */
export async function createUser(t: TestApp, body: unknown): Promise<Record<string, any>> {
  const res = await t.scim('POST', '/Users', body)
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

export async function getUser(t: TestApp, id: string): Promise<Record<string, any>> {
  const res = await t.scim('GET', `/Users/${id}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

/** PATCHes a user and returns the response resource (fails the test unless 200). */
export async function patchUser(t: TestApp, id: string, ...ops: unknown[]): Promise<Record<string, any>> {
  const res = await t.scim('PATCH', `/Users/${id}`, patch(...ops))
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

/** GET /Users with an encoded filter (and more raw query parameters). */
export function filterUsers(t: TestApp, filter: string, more = ''): Promise<LightMyRequestResponse> {
  return t.scim('GET', `/Users?filter=${encodeURIComponent(filter)}${more}`)
}

export function expectScimJson(res: LightMyRequestResponse): void {
  expect(res.headers['content-type']).toBe(SCIM_JSON)
}

/** A SCIM error (RFC 7644 §3.12) of the status, with the scimType when given. */
export function expectError(res: LightMyRequestResponse, status: number, scimType?: string): void {
  expect(res.statusCode, res.body).toBe(status)
  expectScimJson(res)
  const body = res.json()
  expect(body.schemas).toEqual([ERROR])
  expect(body.status).toBe(String(status))
  expect(typeof body.detail).toBe('string')
  if (scimType !== undefined) expect(body.scimType).toBe(scimType)
}

/** The enterprise extension of a resource. */
export function enterprise(resource: Record<string, any>): Record<string, any> | undefined {
  return resource[ENTERPRISE]
}

/** The stored row of a user, straight from the database. */
export function userRow(t: TestApp, id: string) {
  return t.store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The newest provisioning event of the test platform, `changes` parsed. */
/**
 * The platform's latest log row, or the latest about `resourceId`. A rejected write is recorded after
 * it is answered (src/http/scim/events.ts), so an earlier test's rejection can land after a later
 * write: name the resource when a test follows rejected writes.
 */
export async function lastEvent(t: TestApp, resourceId?: string) {
  const row = await t.store.db
    .selectFrom('events')
    .selectAll()
    .where('platform_id', '=', t.platformId)
    .$if(resourceId !== undefined, (q) => q.where('resource_id', '=', resourceId!))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!row) return undefined
  const changes = typeof row.changes === 'string' ? JSON.parse(row.changes) : row.changes
  return { ...row, changes }
}

export async function eventCount(t: TestApp): Promise<number> {
  const { n } = await t.store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('platform_id', '=', t.platformId)
    .executeTakeFirstOrThrow()
  return Number(n)
}

/**
 * Waits until the platform has at least `n` events: a rejected request's event is written by an
 * onResponse hook, after the response has reached the client.
 */
export async function waitForEvents(t: TestApp, n: number, timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let count = await eventCount(t)
  while (count < n && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    count = await eventCount(t)
  }
  return count
}
