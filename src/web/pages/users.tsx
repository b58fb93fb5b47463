// Platform users: filter by platform role, status and source, sort by any column, page; the whole
// state lives in the address (each change is a history entry, so Back steps back). Each name opens
// the user's page; role changes and deactivations ask first (components/user-access.tsx).
import { useCallback, useEffect, useState } from 'react'
import { api, type Me, type Paged, query, type User } from '../api'
import { SearchBox } from '../components/search-box'
import { Badge, ErrorMessage, Loading, PageHeader, Pager, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { UserAccess } from '../components/user-access'
import { Link, navigate, useLocation } from '../router'

const LIMIT = 50
const PATH = '/platform/users'

export const SOURCE_LABEL: Record<User['source'], string> = {
  scim: 'SCIM',
  sso: 'Single sign-on',
  local: 'Local (setup link)',
}

const CHOICES = {
  role: ['ADMIN', 'OPERATOR', 'MEMBER'],
  status: ['ACTIVE', 'INACTIVE'],
  source: ['scim', 'sso', 'local'],
  sort: ['name', 'email', 'role', 'status', 'updated'],
  order: ['asc', 'desc'],
} as const
type Param = keyof typeof CHOICES | 'q' | 'offset'
type Sort = (typeof CHOICES.sort)[number]

export const fullName = (u: Pick<User, 'displayName' | 'firstName' | 'lastName'>) =>
  u.displayName ?? ([u.firstName, u.lastName].filter(Boolean).join(' ') || null)

/** The address's parameters, and those that are not valid (reset with a message). */
function readParams(search: URLSearchParams) {
  const values: Partial<Record<Param, string>> = {}
  const invalid: string[] = []
  for (const [name, allowed] of Object.entries(CHOICES) as [keyof typeof CHOICES, readonly string[]][]) {
    const value = search.get(name)
    if (value === null || value === '') continue
    if (allowed.includes(value)) values[name] = value
    else invalid.push(`${name}=${value}`)
  }
  const offset = search.get('offset')
  if (offset !== null && offset !== '') {
    if (/^\d+$/.test(offset) && Number(offset) % LIMIT === 0) values.offset = offset
    else invalid.push(`offset=${offset}`)
  }
  const q = search.get('q')
  if (q) values.q = q
  return { values, invalid }
}

export function UsersPage({ me }: { me: Me }) {
  const { search } = useLocation()
  const { values, invalid } = readParams(search)
  const [notice, setNotice] = useState<string>()
  const offset = Number(values.offset ?? 0)
  const sort = (values.sort ?? 'email') as Sort
  const order = values.order ?? (sort === 'updated' ? 'desc' : 'asc')
  const filters = { q: values.q, role: values.role, status: values.status, source: values.source }
  const key = query(values)
  const users = useLoad(
    () => api<Paged & { users: User[] }>('GET', `/users${query({ ...values, order, limit: LIMIT })}`),
    [key],
  )

  // Bad values in the address (an old bookmark, a typo) reset to the valid ones, with a message.
  const invalidText = invalid.join(', ')
  useEffect(() => {
    if (!invalidText) return
    setNotice(`Reset what the address asked for but the list does not know: ${invalidText}.`)
    navigate(`${PATH}${key}`, { replace: true })
  }, [invalidText, key])

  const go = useCallback(
    (change: Partial<Record<Param, string | undefined>>) => {
      const next = { ...values, ...change }
      if (!('offset' in change)) delete next.offset
      setNotice(undefined)
      navigate(`${PATH}${query(next)}`)
    },
    [values],
  )
  const onSearch = useCallback((text: string) => go({ q: text || undefined }), [go])

  const select = (name: 'role' | 'status' | 'source', label: string, text: (v: string) => string) => (
    <div className="filter">
      <label htmlFor={`users-${name}`}>{label}</label>
      <select
        id={`users-${name}`}
        value={values[name] ?? ''}
        onChange={(e) => go({ [name]: e.target.value || undefined })}
      >
        <option value="">All</option>
        {CHOICES[name].map((v) => (
          <option key={v} value={v}>
            {text(v)}
          </option>
        ))}
      </select>
    </div>
  )
  const header = (column: Sort, label: string) => {
    const current = sort === column
    const nextOrder = current ? (order === 'asc' ? 'desc' : 'asc') : column === 'updated' ? 'desc' : 'asc'
    return (
      <th scope="col" aria-sort={current ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
        <button
          type="button"
          className="sort-button"
          onClick={() => go({ sort: column, order: nextOrder })}
          aria-label={`${label}: sort ${nextOrder === 'asc' ? 'ascending' : 'descending'}`}
        >
          {label}
          <span aria-hidden="true" className="sort-mark">
            {current ? (order === 'asc' ? '▲' : '▼') : '↕'}
          </span>
        </button>
      </th>
    )
  }
  const filtered = Object.values(filters).some(Boolean)

  return (
    <>
      <PageHeader title="Users">
        Everyone your identity provider provisioned, and anyone created at a first single sign-on. A user's
        effective role in a project is the higher of their project role and what their platform role gives:
        ADMINs are Admins and OPERATORs at least Editors of every project; inactive users have none.
      </PageHeader>
      <section className="card">
        {notice && (
          <div className="alert alert-info" role="status">
            {notice}
          </div>
        )}
        <div className="toolbar">
          <SearchBox label="Search email or name" value={values.q ?? ''} onSearch={onSearch} />
          <span className="toolbar-end">
            {users.data && (
              <span className="muted" role="status">
                {users.data.total} {users.data.total === 1 ? 'user' : 'users'}
              </span>
            )}
            <a className="button button-small" href={`/api/v1/users.csv${query(filters)}`} download>
              Export CSV
            </a>
          </span>
        </div>
        <div className="filters">
          {select('role', 'Platform role', (v) => v)}
          {select('status', 'Status', (v) => (v === 'ACTIVE' ? 'Active' : 'Inactive'))}
          {select('source', 'Source', (v) => SOURCE_LABEL[v as User['source']])}
          {filtered && (
            <button
              type="button"
              className="button-small"
              onClick={() => go({ q: undefined, role: undefined, status: undefined, source: undefined })}
            >
              Clear filters
            </button>
          )}
        </div>
        {users.loading && !users.data && <Loading />}
        {users.error && <ErrorMessage error={users.error} onRetry={users.reload} />}
        {users.data && users.data.users.length === 0 && (
          <p className="empty">
            {filtered
              ? 'No user matches these filters.'
              : 'No users yet. They appear here once your identity provider provisions them.'}
          </p>
        )}
        {users.data && users.data.users.length > 0 && (
          <div className="table-wrap">
            <table aria-busy={users.loading}>
              <thead>
                <tr>
                  {header('name', 'Name')}
                  {header('email', 'Email')}
                  {header('role', 'Platform role')}
                  {header('status', 'Status')}
                  <th scope="col">Source</th>
                  {header('updated', 'Last change')}
                  <th scope="col">Projects (effective role)</th>
                </tr>
              </thead>
              <tbody>
                {users.data.users.map((user) => (
                  <tr key={user.id} className={user.status === 'INACTIVE' ? 'row-muted' : undefined}>
                    <td>
                      <Link href={`${PATH}/${user.id}`}>{fullName(user) ?? user.email}</Link>
                    </td>
                    <td>{user.email}</td>
                    <td>
                      <UserAccess user={user} self={user.id === me.user.id} onChanged={users.reload} />
                    </td>
                    <td>
                      <Badge tone={user.status === 'ACTIVE' ? 'good' : 'bad'}>
                        {user.status === 'ACTIVE' ? 'Active' : 'Inactive'}
                      </Badge>
                    </td>
                    <td>{SOURCE_LABEL[user.source]}</td>
                    <td>
                      <Time value={user.updatedAt} />
                    </td>
                    <td>
                      {user.projects.length === 0 && <span className="muted">—</span>}
                      {user.projects.map((p) => (
                        <span key={p.id} className="chip">
                          <Link href={`/platform/projects/${p.id}`}>{p.displayName}</Link> ·{' '}
                          {p.effectiveRole ?? 'none'}
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
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
            onChange={(o) => go({ offset: o ? String(o) : undefined })}
          />
        )}
      </section>
    </>
  )
}
