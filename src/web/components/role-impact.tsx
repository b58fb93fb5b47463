// Before the role that members follow changes (a project's role, or the platform default), the admin
// sees whom it changes, by name, old → new, and confirms.
import type { ReactNode } from 'react'
import type { Member, ProjectRole } from '../api'
import { ConfirmDialog } from './confirm-dialog'

export interface RoleImpact {
  role: ProjectRole
  affected: number
  explicit: number
  members: (Member & { projectId: string; projectName: string })[]
}

export function RoleImpactDialog({
  open,
  title,
  impact,
  busy,
  showProject = false,
  note,
  onConfirm,
  onCancel,
}: {
  open: boolean
  title: string
  impact: RoleImpact | undefined
  busy: boolean
  showProject?: boolean
  note?: ReactNode
  onConfirm(): void
  onCancel(): void
}) {
  const more = impact ? impact.affected - impact.members.length : 0
  return (
    <ConfirmDialog
      open={open}
      title={title}
      confirmLabel={
        impact?.affected
          ? `Change ${impact.affected} ${impact.affected === 1 ? 'member' : 'members'}`
          : 'Apply'
      }
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      {impact && impact.affected === 0 && (
        <p>No current member’s role changes; new members get {impact.role}.</p>
      )}
      {impact && impact.affected > 0 && (
        <>
          <p>
            {impact.affected === 1
              ? 'This member’s role changes'
              : `These ${impact.affected} members’ roles change`}{' '}
            to <strong>{impact.role}</strong>:
          </p>
          <ul className="impact-list" aria-label="Members whose role changes">
            {impact.members.map((m) => (
              <li key={`${m.projectId}:${m.userId}`}>
                <strong>{m.displayName ?? m.email}</strong>
                {m.displayName && <span className="muted"> {m.email}</span>}
                {showProject && <span className="muted"> in {m.projectName}</span>}: {m.role} → {impact.role}
              </li>
            ))}
          </ul>
          {more > 0 && <p className="muted">…and {more} more.</p>}
        </>
      )}
      {impact && impact.explicit > 0 && (
        <p className="muted">
          {impact.explicit === 1 ? '1 member keeps the role' : `${impact.explicit} members keep the role`} an
          admin set by hand.
        </p>
      )}
      {note}
    </ConfirmDialog>
  )
}
