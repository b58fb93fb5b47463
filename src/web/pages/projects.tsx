// Projects (SCIM groups) with their member counts; each opens its members.
import { api, type Paged, type Project, query } from '../api'
import { SearchBox } from '../components/search-box'
import { ErrorMessage, Loading, PageHeader, Pager, Time } from '../components/ui'
import { useLoad } from '../components/use-load'
import { Link, navigate, useLocation } from '../router'

const LIMIT = 50

export function ProjectsPage() {
  const { search } = useLocation()
  const q = search.get('q') ?? ''
  const offset = Number(search.get('offset') ?? 0) || 0
  const projects = useLoad(
    () => api<Paged & { projects: Project[] }>('GET', `/projects${query({ q, limit: LIMIT, offset })}`),
    [q, offset],
  )
  const go = (next: { q?: string; offset?: number }) =>
    navigate(`/platform/projects${query({ q: next.q ?? q, offset: next.offset || undefined })}`, {
      replace: true,
    })

  return (
    <>
      <PageHeader title="Projects">
        Groups pushed by your identity provider become projects; their members become project members.
      </PageHeader>
      <section className="card">
        <div className="toolbar">
          <SearchBox label="Search projects" value={q} onSearch={(text) => go({ q: text, offset: 0 })} />
          <span className="toolbar-end">
            {projects.data && <span className="muted">{projects.data.total} projects</span>}
            <a className="button button-small" href="/api/v1/projects/memberships.csv" download>
              Export all memberships (CSV)
            </a>
          </span>
        </div>
        {projects.loading && !projects.data && <Loading />}
        {projects.error && <ErrorMessage error={projects.error} onRetry={projects.reload} />}
        {projects.data && projects.data.projects.length === 0 && (
          <p className="empty">
            {q ? `No project matches “${q}”.` : 'No projects yet. Push groups from your identity provider.'}
          </p>
        )}
        {projects.data && projects.data.projects.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Project</th>
                  <th scope="col">Members</th>
                  <th scope="col">Role for members</th>
                  <th scope="col">External ID</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {projects.data.projects.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link href={`/platform/projects/${p.id}`}>{p.displayName}</Link>
                    </td>
                    <td>{p.memberCount}</td>
                    <td>{p.projectRole ?? <span className="muted">platform default</span>}</td>
                    <td className="mono small">{p.externalId ?? <span className="muted">—</span>}</td>
                    <td>
                      <Time value={p.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {projects.data && (
          <Pager
            noun="projects"
            total={projects.data.total}
            limit={LIMIT}
            offset={offset}
            onChange={(o) => go({ offset: o })}
          />
        )}
      </section>
    </>
  )
}
