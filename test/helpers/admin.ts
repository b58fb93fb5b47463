// Console accounts and signed-in admin API calls for the admin HTTP tests.
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { hashPassword } from '../../src/auth/password.js'
import { CUSTOM_USER_SCHEMA, USER_SCHEMA } from '../../src/scim/schemas/index.js'
import type { PlatformRole } from '../../src/store/schema.js'
import { insertUser } from '../../src/store/users.js'
import type { TestApp } from './app.js'

export const PASSWORD = 'correct horse battery staple'
let hashed: Promise<string> | undefined

/** A user with a console password (hashed once per test file: scrypt is slow on purpose). */
export async function createAccount(
  t: Pick<TestApp, 'store'>,
  platformId: string,
  email: string,
  { role = 'ADMIN', active = true }: { role?: PlatformRole; active?: boolean } = {},
) {
  hashed ??= hashPassword(PASSWORD)
  return insertUser(
    t.store.db,
    platformId,
    {
      schemas: [USER_SCHEMA, CUSTOM_USER_SCHEMA],
      userName: email,
      active,
      [CUSTOM_USER_SCHEMA]: { platformRole: role },
    },
    await hashed,
  )
}

export function signIn(t: TestApp, email: string, password = PASSWORD, remoteAddress?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { email, password },
    ...(remoteAddress ? { remoteAddress } : {}),
  })
}

/** The `muster_session=…` pair from a response's Set-Cookie. */
export function sessionCookie(res: LightMyRequestResponse): string {
  const header = ([] as string[]).concat(res.headers['set-cookie'] ?? [])
  const cookie = header.find((c) => c.startsWith('muster_session='))
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(res.headers)}`)
  return cookie.split(';')[0]!
}

export interface AdminClient {
  readonly cookie: string
  call(
    method: InjectOptions['method'],
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>
}

export async function signedIn(t: TestApp, email: string): Promise<AdminClient> {
  const res = await signIn(t, email)
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.body}`)
  const cookie = sessionCookie(res)
  return {
    cookie,
    call: (method, path, body, headers = {}) =>
      t.app.inject({
        method,
        url: `/api/v1${path}`,
        headers: { cookie, ...headers },
        ...(body === undefined ? {} : { payload: body as object }),
      }),
  }
}
