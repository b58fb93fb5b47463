// One project's members with their project role and effective role. The rule for roles: a member
// whose role an admin set by hand keeps it; every other member follows the project's role, else the
// platform default. Changing the project's role shows whom it changes before it is applied; changing
// one member's role asks first (old → new). Nothing is sent while moving through a list.
import { useState } from 'react'
import { type ApiError, api, type Member, type Paged, type Project, type ProjectRole, query } from '../api'
import { ConfirmDialog } from '../components/confirm-dialog'
import { type RoleImpact, RoleImpactDialog } from '../components/role-impact'
import { SearchBox } from '../components/search-box'
import { ErrorMessage, Loading, PageHeader, Pager } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link } from '../router'
import { EffectiveRole } from './user'

const LIMIT = 100
const ROLES: ProjectRole[] = ['Admin', 'Editor', 'Viewer']
/** The select value for "no role of its own" / "follow the project". */
const FOLLOW = ''

interface Detail {
  project: Project & { followedRole: ProjectRole }
  members: Paged & { items: Member[] }
}

export function ProjectPage({ id }: { id: string }) {
  const [q, setQ] = useState('')
  const [offset, setOffset] = useState(0)
  const path = `/projects/${encodeURIComponent(id)}`
  const detail = useLoad(
    () => api<Detail>('GET', `${path}${query({ q, limit: LIMIT, offset })}`),
    [id, q, offset],
  )

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
        {project.memberCount === 1 ? '1 member' : `${project.memberCount} members`}. Members follow the
        project’s role ({project.projectRole ? 'its own' : 'now the platform default'}:{' '}
        <strong>{project.followedRole}</strong>
        ), old and new members alike, unless an admin set their role by hand. A member’s effective role is the
        higher of that and what their platform role gives (ADMIN: Admin, OPERATOR: at least Editor); inactive
        users have none.
      </PageHeader>
      <ProjectRoleCard project={project} path={path} onChanged={detail.reload} />
      <section className="card" aria-labelledby="members-title">
        <div className="card-head">
          <h2 id="members-title">Members</h2>
          <a className="button button-small" href={`/api/v1${path}/members.csv`} download>
            Export CSV
          </a>
        </div>
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
                      <Link href={`/platform/users/${m.userId}`}>{m.displayName ?? m.email}</Link>
                      {m.displayName && <div className="muted small">{m.email}</div>}
                    </td>
                    <td>{m.platformRole}</td>
                    <td>
                      <MemberRole member={m} project={project} path={path} onChanged={detail.reload} />
                    </td>
                    <td>
                      <EffectiveRole role={m.role} effective={m.effectiveRole} user={m} />
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

/** The project's own role for its members, changed after a preview of whom it changes. */
function ProjectRoleCard({
  project,
  path,
  onChanged,
}: {
  project: Detail['project']
  path: string
  onChanged(): void
}) {
  const current = project.projectRole ?? FOLLOW
  const [draft, setDraft] = useState<string>(current)
  const [impact, setImpact] = useState<RoleImpact>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const [lastProject, setLastProject] = useState(project)
  if (lastProject !== project) {
    setLastProject(project)
    setDraft(project.projectRole ?? FOLLOW)
  }

  const preview = async () => {
    setBusy(true)
    setError(undefined)
    try {
      setImpact(await api<RoleImpact>('GET', `${path}/role-impact${query({ role: draft })}`))
    } catch (reason) {
      setError(reason as ApiError)
    } finally {
      setBusy(false)
    }
  }
  const apply = async () => {
    setBusy(true)
    try {
      await api('PATCH', path, { projectRole: draft || null })
      setImpact(undefined)
      onChanged()
    } catch (reason) {
      setError(reason as ApiError)
      setImpact(undefined)
    } finally {
      setBusy(false)
    }
  }
  const label = (value: string) => value || 'None of its own: the platform default'
  const short = (value: string) => value || 'the platform default'
  return (
    <section className="card" aria-labelledby="project-role-title">
      <h2 id="project-role-title">Role for members</h2>
      <p className="muted">
        Set by your identity provider through <code>projectRole</code> of the group, or here. It applies to
        every member whose role an admin did not set by hand.
      </p>
      <div className="inline-controls">
        <div className="filter">
          <label htmlFor="project-role">Project role</label>
          <select id="project-role" value={draft} disabled={busy} onChange={(e) => setDraft(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
            <option value={FOLLOW}>{label(FOLLOW)}</option>
          </select>
        </div>
        {draft !== current && (
          <>
            <button type="button" className="button-primary" disabled={busy} onClick={preview}>
              Review change…
            </button>
            <button type="button" disabled={busy} onClick={() => setDraft(current)}>
              Undo
            </button>
          </>
        )}
      </div>
      {error && <ErrorMessage error={error} />}
      <RoleImpactDialog
        open={impact !== undefined}
        title={`Change the role for members of ${project.displayName}: ${short(current)} → ${short(draft)}?`}
        impact={impact}
        busy={busy}
        note={
          <p className="idp-note">
            If your identity provider sends <code>projectRole</code> for this group, it may overwrite this at
            its next sync.
          </p>
        }
        onConfirm={apply}
        onCancel={() => {
          if (!busy) setImpact(undefined)
        }}
      />
    </section>
  )
}

/** One member's role: picked in the list, sent only after a confirm that shows old → new. */
function MemberRole({
  member,
  project,
  path,
  onChanged,
}: {
  member: Member
  project: Detail['project']
  path: string
  onChanged(): void
}) {
  const current = member.roleExplicit ? member.role : FOLLOW
  const [draft, setDraft] = useState(current)
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const [lastMember, setLastMember] = useState(member)
  if (lastMember !== member) {
    setLastMember(member)
    setDraft(member.roleExplicit ? member.role : FOLLOW)
  }
  const next = draft === FOLLOW ? project.followedRole : (draft as ProjectRole)
  const apply = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await api('PATCH', `${path}/members/${member.userId}`, { role: draft || null })
      setConfirming(false)
      onChanged()
    } catch (reason) {
      setError(reason as ApiError)
      setConfirming(false)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="access">
      <select
        aria-label={`Project role of ${member.email}`}
        value={draft}
        disabled={busy}
        onChange={(e) => setDraft(e.target.value)}
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
        <option value={FOLLOW}>Follow the project ({project.followedRole})</option>
      </select>
      {draft !== current && (
        <>
          <button
            type="button"
            className="button-small button-primary"
            aria-label={`Change role of ${member.email}…`}
            onClick={() => setConfirming(true)}
          >
            Change…
          </button>
          <button type="button" className="button-small" onClick={() => setDraft(current)}>
            Undo
          </button>
        </>
      )}
      <div className="muted small">{member.roleExplicit ? 'set by an admin' : 'follows the project'}</div>
      {error && <ErrorMessage error={error} />}
      <ConfirmDialog
        open={confirming}
        title={`Change the project role of ${member.displayName ?? member.email}?`}
        confirmLabel={`Make ${next}`}
        busy={busy}
        onConfirm={apply}
        onCancel={() => {
          if (!busy) setConfirming(false)
        }}
      >
        <p>
          <strong>{member.email}</strong> in {project.displayName}:{' '}
          <span className="old-value">{member.role}</span> → <strong className="new-value">{next}</strong>
          {draft === FOLLOW
            ? ', following the project’s role from now on.'
            : ', set by hand: later changes of the project’s role or the platform default leave it as it is.'}
        </p>
      </ConfirmDialog>
    </div>
  )
}
