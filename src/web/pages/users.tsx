// Platform users as provisioned by the IdP, with search and paging. An admin can change a platform
// role and deactivate or reactivate a user; the IdP sees the same change through SCIM.
import { useCallback, useState } from 'react'
import { type ApiError, api, type Me, type Paged, type PlatformRole, query, type User } from '../api'
import { ConfirmDialog } from '../components/confirm-dialog'
import { SearchBox } from '../components/search-box'
import { Badge, ErrorMessage, Loading, PageHeader, Pager } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link, navigate, useLocation } from '../router'

const LIMIT = 50
const ROLES: PlatformRole[] = ['ADMIN', 'OPERATOR', 'MEMBER']

const fullName = (u: User) => u.displayName ?? ([u.firstName, u.lastName].filter(Boolean).join(' ') || null)

export function UsersPage({ me }: { me: Me }) {
  const { search } = useLocation()
  const q = search.get('q') ?? ''
  const offset = Number(search.get('offset') ?? 0) || 0
  const users = useLoad(
    () => api<Paged & { users: User[] }>('GET', `/users${query({ q, limit: LIMIT, offset })}`),
    [q, offset],
  )
  const [error, setError] = useState<ApiError>()
  const [busy, setBusy] = useState<string>()
  const [deactivating, setDeactivating] = useState<User>()

  const go = useCallback(
    (next: { q?: string; offset?: number }) => {
      navigate(`/platform/users${query({ q: next.q ?? q, offset: next.offset || undefined })}`, {
        replace: true,
      })
    },
    [q],
  )

  const change = async (user: User, body: { platformRole?: PlatformRole; active?: boolean }) => {
    setBusy(user.id)
    setError(undefined)
    try {
      // The version this page showed: if the IdP changed the user meanwhile, the change fails (412).
      await api('PATCH', `/users/${user.id}`, { ...body, version: user.version })
      users.reload()
    } catch (reason) {
      setError(reason as ApiError)
    } finally {
      setBusy(undefined)
      setDeactivating(undefined)
    }
  }

  return (
    <>
      <PageHeader title="Users">
        Everyone your identity provider has provisioned. Platform ADMINs are Admins of every project,
        OPERATORs Editors of every project.
      </PageHeader>
      <section className="card">
        <div className="toolbar">
          <SearchBox label="Search email or name" value={q} onSearch={(text) => go({ q: text, offset: 0 })} />
          {users.data && <span className="muted">{users.data.total} users</span>}
        </div>
        {error && <ErrorMessage error={error} />}
        {users.loading && !users.data && <Loading />}
        {users.error && <ErrorMessage error={users.error} onRetry={users.reload} />}
        {users.data && users.data.users.length === 0 && (
          <p className="empty">
            {q
              ? `No user matches “${q}”.`
              : 'No users yet. They appear here once your identity provider provisions them.'}
          </p>
        )}
        {users.data && users.data.users.length > 0 && (
          <div className="table-wrap">
            <table aria-busy={users.loading}>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Name</th>
                  <th scope="col">Platform role</th>
                  <th scope="col">Status</th>
                  <th scope="col">External ID</th>
                  <th scope="col">Projects</th>
                </tr>
              </thead>
              <tbody>
                {users.data.users.map((user) => {
                  const self = user.id === me.user.id
                  return (
                    <tr key={user.id} className={user.status === 'INACTIVE' ? 'row-muted' : undefined}>
                      <td>{user.email}</td>
                      <td>{fullName(user) ?? <span className="muted">—</span>}</td>
                      <td>
                        <select
                          aria-label={`Platform role of ${user.email}`}
                          value={user.platformRole}
                          disabled={self || busy === user.id}
                          title={self ? 'You cannot change your own role' : undefined}
                          onChange={(e) => change(user, { platformRole: e.target.value as PlatformRole })}
                        >
                          {ROLES.map((role) => (
                            <option key={role}>{role}</option>
                          ))}
                        </select>
                      </td>
                      <td>
                        <span className="status-cell">
                          <Badge tone={user.status === 'ACTIVE' ? 'good' : 'bad'}>
                            {user.status === 'ACTIVE' ? 'Active' : 'Inactive'}
                          </Badge>
                          {!self && (
                            <button
                              type="button"
                              className="button-small"
                              disabled={busy === user.id}
                              onClick={() =>
                                user.status === 'ACTIVE'
                                  ? setDeactivating(user)
                                  : change(user, { active: true })
                              }
                            >
                              {user.status === 'ACTIVE' ? 'Deactivate' : 'Reactivate'}
                              <span className="visually-hidden"> {user.email}</span>
                            </button>
                          )}
                        </span>
                      </td>
                      <td className="mono small">{user.externalId ?? <span className="muted">—</span>}</td>
                      <td>
                        {user.projects.length === 0 && <span className="muted">—</span>}
                        {user.projects.map((p) => (
                          <span key={p.id} className="chip">
                            <Link href={`/platform/projects/${p.id}`}>{p.displayName}</Link> ·{' '}
                            {p.effectiveRole}
                          </span>
                        ))}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
        {users.data && (
          <Pager
            noun="users"
            total={users.data.total}
            limit={LIMIT}
            offset={offset}
            onChange={(o) => go({ offset: o })}
          />
        )}
      </section>
      <ConfirmDialog
        open={deactivating !== undefined}
        title="Deactivate this user?"
        confirmLabel="Deactivate"
        busy={busy !== undefined}
        onConfirm={() => deactivating && change(deactivating, { active: false })}
        onCancel={() => setDeactivating(undefined)}
      >
        <p>
          <strong>{deactivating?.email}</strong> keeps their memberships but can no longer sign in, and SCIM
          reports them as <code>active: false</code>. Your identity provider may turn them back on at its next
          sync if it still assigns them.
        </p>
      </ConfirmDialog>
    </>
  )
}
