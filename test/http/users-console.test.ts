// The console's users and projects over the admin API (issue 13): effective roles, the one rule for
// project roles and the platform default with its preview, the user's page, list filters and sorting,
// and the streamed CSV exports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser } from '../../src/domain/users.js'
import {
  CUSTOM_GROUP_SCHEMA,
  CUSTOM_USER_SCHEMA,
  GROUP_SCHEMA,
  PATCH_SCHEMA,
  USER_SCHEMA,
} from '../../src/scim/schemas/index.js'
import { streamConsoleUsers } from '../../src/store/console-users.js'
import { type AdminClient, createAccount, signedIn } from '../helpers/admin.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/db.js'

describe.each(dialects)('console users and projects on %s', (dialect) => {
  let t: TestApp
  let a: AdminClient
  let adminId: string
  const ids: Record<string, string> = {}

  const user = async (name: string, role = 'MEMBER', extra: Record<string, unknown> = {}) => {
    const res = await t.scim('POST', '/Users', {
      schemas: [USER_SCHEMA, CUSTOM_USER_SCHEMA],
      userName: `${name}@acme.test`,
      displayName: name[0]!.toUpperCase() + name.slice(1),
      active: true,
      [CUSTOM_USER_SCHEMA]: { platformRole: role },
      ...extra,
    })
    expect(res.statusCode).toBe(201)
    ids[name] = res.json().id
    return res.json().id as string
  }
  const group = async (name: string, members: string[], projectRole?: string) => {
    const res = await t.scim('POST', '/Groups', {
      schemas: projectRole ? [GROUP_SCHEMA, CUSTOM_GROUP_SCHEMA] : [GROUP_SCHEMA],
      displayName: name,
      members: members.map((m) => ({ value: ids[m] })),
      ...(projectRole ? { [CUSTOM_GROUP_SCHEMA]: { projectRole } } : {}),
    })
    expect(res.statusCode).toBe(201)
    return res.json().id as string
  }
  const members = async (projectId: string) => {
    const res = await a.call('GET', `/projects/${projectId}`)
    expect(res.statusCode).toBe(200)
    return Object.fromEntries(
      res
        .json()
        .members.items.map((m: { email: string; role: string; effectiveRole: string | null }) => [
          m.email.split('@')[0],
          `${m.role}/${m.effectiveRole}`,
        ]),
    )
  }

  beforeAll(async () => {
    t = await createTestApp(dialect)
    adminId = (await createAccount(t, t.platformId, 'admin@acme.test')).id
    a = await signedIn(t, 'admin@acme.test')
  })
  afterAll(() => t.close())

  it('an OPERATOR who is a project Admin is Admin; an inactive member has no effective role', async () => {
    await user('olga', 'OPERATOR')
    await user('ivan')
    await user('vera', 'OPERATOR')
    const project = await group('Effective', ['olga', 'ivan', 'vera'], 'Viewer')
    expect(
      (await a.call('PATCH', `/projects/${project}/members/${ids.olga}`, { role: 'Admin' })).statusCode,
    ).toBe(200)
    const off = await a.call('PATCH', `/users/${ids.ivan}`, { active: false })
    expect(off.statusCode).toBe(200)
    expect(await members(project)).toEqual({
      olga: 'Admin/Admin',
      ivan: 'Viewer/null',
      vera: 'Viewer/Editor',
    })
    const ivan = (await a.call('GET', `/users/${ids.ivan}`)).json()
    expect(ivan.user.projects).toEqual([
      expect.objectContaining({ displayName: 'Effective', effectiveRole: null }),
    ])
    const olga = (await a.call('GET', `/users?q=olga`)).json().users[0]
    expect(olga.projects[0]).toMatchObject({ role: 'Admin', roleExplicit: true, effectiveRole: 'Admin' })
  })

  it('a project role change moves the members who follow it, keeps roles set by hand, and is previewed by name', async () => {
    await user('ann')
    await user('bob')
    await user('cat')
    const project = await group('Design', ['ann', 'bob', 'cat'], 'Viewer')
    expect(await members(project)).toEqual({
      ann: 'Viewer/Viewer',
      bob: 'Viewer/Viewer',
      cat: 'Viewer/Viewer',
    })
    await a.call('PATCH', `/projects/${project}/members/${ids.bob}`, { role: 'Admin' })

    const preview = (await a.call('GET', `/projects/${project}/role-impact?role=Editor`)).json()
    expect(preview).toMatchObject({ role: 'Editor', affected: 2, explicit: 1 })
    expect(preview.members.map((m: { email: string; role: string }) => `${m.email} ${m.role}`)).toEqual([
      'ann@acme.test Viewer',
      'cat@acme.test Viewer',
    ])

    // The IdP changes the group's role: Bob's role, set by hand, stays.
    const patched = await t.scim('PATCH', `/Groups/${project}`, {
      schemas: [PATCH_SCHEMA],
      Operations: [{ op: 'replace', path: `${CUSTOM_GROUP_SCHEMA}:projectRole`, value: 'Editor' }],
    })
    expect(patched.statusCode).toBeLessThan(300)
    expect(await members(project)).toEqual({ ann: 'Editor/Editor', bob: 'Admin/Admin', cat: 'Editor/Editor' })

    // New members follow it too; a member set back to "follow" takes the project's role.
    await user('dan')
    await t.scim('PATCH', `/Groups/${project}`, {
      schemas: [PATCH_SCHEMA],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ids.dan }] }],
    })
    await a.call('PATCH', `/projects/${project}/members/${ids.bob}`, { role: null })
    expect(await members(project)).toEqual({
      ann: 'Editor/Editor',
      bob: 'Editor/Editor',
      cat: 'Editor/Editor',
      dan: 'Editor/Editor',
    })

    // The console sets the project's role in the SCIM resource, so the IdP reads it back.
    const set = await a.call('PATCH', `/projects/${project}`, { projectRole: 'Viewer' })
    expect(set.json().project).toMatchObject({ projectRole: 'Viewer' })
    expect((await t.scim('GET', `/Groups/${project}`)).json()[CUSTOM_GROUP_SCHEMA]).toEqual({
      projectRole: 'Viewer',
    })
    expect(Object.values(await members(project))).toEqual(Array(4).fill('Viewer/Viewer'))
  })

  it('the platform default moves members of projects without a role of their own, previewed by name', async () => {
    await user('eve')
    await user('fay')
    await user('gus')
    const plain = await group('Plain', ['eve', 'fay'])
    const own = await group('Own', ['gus'], 'Admin')
    await a.call('PATCH', `/projects/${plain}/members/${ids.fay}`, { role: 'Admin' })
    expect(await members(plain)).toEqual({ eve: 'Editor/Editor', fay: 'Admin/Admin' })

    const preview = (await a.call('GET', '/projects/default-role-impact?role=Viewer')).json()
    expect(preview).toMatchObject({ role: 'Viewer', explicit: 1 })
    const names = preview.members.map(
      (m: { email: string; projectName: string }) => `${m.email} ${m.projectName}`,
    )
    expect(names).toContain('eve@acme.test Plain')
    expect(names.join()).not.toMatch(/fay|gus/)

    expect((await a.call('PATCH', '/settings', { defaultProjectRole: 'Viewer' })).statusCode).toBe(200)
    expect(await members(plain)).toEqual({ eve: 'Viewer/Viewer', fay: 'Admin/Admin' })
    expect(await members(own)).toEqual({ gus: 'Admin/Admin' })
    // Back to the server's default (Editor).
    await a.call('PATCH', '/settings', { defaultProjectRole: null })
    expect(await members(plain)).toEqual({ eve: 'Editor/Editor', fay: 'Admin/Admin' })
    const log = (await a.call('GET', '/events?limit=5')).json()
    expect(JSON.stringify(log)).toContain(plain)
  })

  it('lists users filtered by role, status and source, sorted by any column, and refuses bad values', async () => {
    const emails = async (query: string) =>
      (await a.call('GET', `/users?${query}`))
        .json()
        .users.map((u: { email: string }) => u.email.split('@')[0])
    expect(await emails('role=OPERATOR')).toEqual(['olga', 'vera'])
    expect(await emails('status=INACTIVE')).toEqual(['ivan'])
    expect(await emails('source=local')).toEqual([])
    expect(await emails('source=scim&role=ADMIN')).toEqual(['admin'])
    expect(await emails('role=OPERATOR&sort=name&order=desc')).toEqual(['vera', 'olga'])
    const byRole = await emails('sort=role&limit=3')
    expect(byRole[0]).toBe('admin')
    expect(['olga', 'vera']).toContain(byRole[1])
    expect(await emails('sort=status&order=desc&limit=1')).toEqual(['ivan'])
    const recent = await emails('sort=updated&order=desc&limit=1')
    expect(recent).toHaveLength(1)
    const bad = await a.call('GET', '/users?role=BOSS&sort=age')
    expect(bad.statusCode).toBe(400)
    expect(Object.keys(bad.json().fields).sort()).toEqual(['role', 'sort'])
  })

  it("a user's page: the SCIM resource, source, projects with effective roles, sign-in method and events", async () => {
    await user('hal', 'MEMBER', { title: 'Engineer', externalId: 'oid-hal' })
    const page = (await a.call('GET', `/users/${ids.hal}`)).json()
    expect(page.user).toMatchObject({ email: 'hal@acme.test', source: 'scim', platformRole: 'MEMBER' })
    expect(page.scim).toMatchObject({
      id: ids.hal,
      userName: 'hal@acme.test',
      title: 'Engineer',
      active: true,
    })
    expect(page.lastSignIn).toBeNull()
    expect(page.events[0]).toMatchObject({ method: 'POST', status: 201, actor: 'scim' })
    expect(JSON.stringify(page)).not.toMatch(/password_hash|passwordHash/)

    const me = (await a.call('GET', `/users/${adminId}`)).json()
    expect(me.lastSignIn).toMatchObject({ method: 'password' })
    expect((await a.call('GET', '/users/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404)
  })

  it('a user created at a first single sign-on has the source sso', async () => {
    const created = await createUser(
      {
        store: t.store,
        platformId: t.platformId,
        actor: { kind: 'sso' },
        request: { id: 'r1', method: 'POST', path: '/api/v1/auth/saml/acs', status: 200, elapsedMs: () => 1 },
        defaultProjectRole: 'Editor',
      },
      { schemas: [USER_SCHEMA], userName: 'sso.person@acme.test', active: true },
    )
    const listed = (await a.call('GET', '/users?source=sso')).json().users
    expect(listed.map((u: { id: string; source: string }) => [u.id, u.source])).toEqual([[created.id, 'sso']])
    expect((await a.call('GET', `/users/${created.id}`)).json().user.source).toBe('sso')
  })

  it('exports users as CSV for the current filter, quoted per RFC 4180, formulas defused', async () => {
    await user('zed', 'MEMBER', {
      displayName: '=HYPERLINK("http://evil","x")',
      name: { givenName: 'Zed, "Z"' },
    })
    const res = await a.call('GET', '/users.csv?q=zed')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/csv/)
    expect(res.headers['content-disposition']).toContain('users.csv')
    const lines = res.body.split('\r\n')
    expect(lines[0]).toBe(
      'id,email,display name,first name,last name,platform role,status,source,external id,created,last change,projects (effective role)',
    )
    expect(lines[1]).toContain(
      `${ids.zed},zed@acme.test,"'=HYPERLINK(""http://evil"",""x"")","Zed, ""Z""",,MEMBER,ACTIVE,scim`,
    )
    expect(lines).toHaveLength(3)
    const operators = (await a.call('GET', '/users.csv?role=OPERATOR')).body.trim().split('\r\n')
    expect(operators.slice(1).map((l) => l.split(',')[1])).toEqual(['olga@acme.test', 'vera@acme.test'])
    expect((await a.call('GET', '/users.csv?status=GONE')).statusCode).toBe(400)
  })

  it('streams a users export in keyset batches, each holding at most the batch size', async () => {
    const sizes: number[] = []
    const seen: string[] = []
    for await (const batch of streamConsoleUsers(t.store.db, t.platformId, {}, 4)) {
      sizes.push(batch.length)
      seen.push(...batch.map((u) => u.email))
    }
    const total = (await a.call('GET', '/users?limit=1')).json().total
    expect(seen).toHaveLength(total)
    expect(new Set(seen).size).toBe(total)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4)
    expect(sizes.length).toBe(Math.ceil(total / 4))
  })

  it('exports project memberships per project and for all projects', async () => {
    const list = (await a.call('GET', '/projects?q=Plain')).json().projects
    const one = await a.call('GET', `/projects/${list[0].id}/members.csv`)
    expect(one.statusCode).toBe(200)
    expect(one.headers['content-disposition']).toContain('Plain-members.csv')
    const rows = one.body.trim().split('\r\n')
    expect(rows[0]).toBe(
      'project id,project,user id,email,display name,platform role,status,project role,role set by,effective role',
    )
    expect(
      rows
        .slice(1)
        .map((r) => r.split(',').slice(3, 4)[0])
        .sort(),
    ).toEqual(['eve@acme.test', 'fay@acme.test'])
    expect(rows.find((r) => r.includes('fay@'))).toMatch(/,Admin,admin,Admin$/)
    const all = (await a.call('GET', '/projects/memberships.csv')).body.trim().split('\r\n')
    expect(all.some((r) => r.includes('ivan@acme.test') && r.endsWith('none (inactive)'))).toBe(true)
    expect(all.length - 1).toBeGreaterThan(rows.length - 1)
  })
})
