// One project's members with their membership role and effective role; an admin can change a role.
import { useState } from 'react'
import { type ApiError, api, type Member, type Paged, type Project, type ProjectRole, query } from '../api'
import { SearchBox } from '../components/search-box'
import { Badge, ErrorMessage, Loading, PageHeader, Pager } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link } from '../router'

const LIMIT = 100
const ROLES: ProjectRole[] = ['Admin', 'Editor', 'Viewer']

interface Detail {
  project: Project
  members: Paged & { items: Member[] }
}

export function ProjectPage({ id }: { id: string }) {
  const [q, setQ] = useState('')
  const [offset, setOffset] = useState(0)
  const detail = useLoad(
    () => api<Detail>('GET', `/projects/${encodeURIComponent(id)}${query({ q, limit: LIMIT, offset })}`),
    [id, q, offset],
  )
  const [busy, setBusy] = useState<string>()
  const [error, setError] = useState<ApiError>()

  const changeRole = async (member: Member, role: ProjectRole) => {
    setBusy(member.userId)
    setError(undefined)
    try {
      await api('PATCH', `/projects/${encodeURIComponent(id)}/members/${member.userId}`, { role })
      detail.reload()
    } catch (reason) {
      setError(reason as ApiError)
    } finally {
      setBusy(undefined)
    }
  }

  if (detail.error) {
    return (
      <>
        <p className="breadcrumb">
          <Link href="/platform/projects">← Projects</Link>
        </p>
        <ErrorMessage
          error={detail.error}
          onRetry={detail.error.status === 404 ? undefined : detail.reload}
        />
      </>
    )
  }
  if (!detail.data) return <Loading />
  const { project, members } = detail.data
  return (
    <>
      <p className="breadcrumb">
        <Link href="/platform/projects">← Projects</Link>
      </p>
      <PageHeader title={project.displayName}>
        {project.memberCount === 1 ? '1 member' : `${project.memberCount} members`}. New SCIM members get{' '}
        {project.projectRole ? (
          <>
            the role <strong>{project.projectRole}</strong>
          </>
        ) : (
          'the platform default role (Settings)'
        )}
        . The effective role also counts the platform role: ADMINs are Admins and OPERATORs Editors of every
        project.
      </PageHeader>
      <section className="card">
        <div className="toolbar">
          <SearchBox
            label="Search members"
            value={q}
            onSearch={(text) => {
              setQ(text)
              setOffset(0)
            }}
          />
        </div>
        {error && <ErrorMessage error={error} />}
        {members.items.length === 0 ? (
          <p className="empty">{q ? 'No member matches.' : 'This project has no members yet.'}</p>
        ) : (
          <div className="table-wrap">
            <table aria-busy={detail.loading}>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Platform role</th>
                  <th scope="col">Project role</th>
                  <th scope="col">Effective role</th>
                </tr>
              </thead>
              <tbody>
                {members.items.map((m) => (
                  <tr key={m.userId} className={m.status === 'INACTIVE' ? 'row-muted' : undefined}>
                    <td>
                      {m.email}
                      {m.displayName && <div className="muted small">{m.displayName}</div>}
                      {m.status === 'INACTIVE' && <Badge tone="bad">Inactive</Badge>}
                    </td>
                    <td>{m.platformRole}</td>
                    <td>
                      <select
                        aria-label={`Project role of ${m.email}`}
                        value={m.role}
                        disabled={busy === m.userId}
                        onChange={(e) => changeRole(m, e.target.value as ProjectRole)}
                      >
                        {ROLES.map((role) => (
                          <option key={role}>{role}</option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <Badge tone={m.effectiveRole === m.role ? 'neutral' : 'info'}>{m.effectiveRole}</Badge>
                      {m.effectiveRole !== m.role && (
                        <span className="muted small"> (from {m.platformRole})</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager noun="members" total={members.total} limit={LIMIT} offset={offset} onChange={setOffset} />
      </section>
    </>
  )
}
