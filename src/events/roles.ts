// Effective project roles (SPEC.md "Project member"): the higher of the member's project role and
// what the platform role implies (ADMIN → Admin of every project, OPERATOR → at least Editor); an
// INACTIVE user has none. SETs state the result so that receivers never re-implement these rules.
import type { PlatformRole, ProjectRole, UserStatus } from '../store/schema.js'

const RANK: Record<ProjectRole, number> = { Viewer: 1, Editor: 2, Admin: 3 }

/** The role a user holds in every project of the platform, member or not; null: none. */
export function everyProjectRole(platformRole: PlatformRole, status: UserStatus): ProjectRole | null {
  if (status !== 'ACTIVE') return null
  if (platformRole === 'ADMIN') return 'Admin'
  if (platformRole === 'OPERATOR') return 'Editor'
  return null
}

/** A user's effective role in a project where their membership role is `memberRole` (null: not a member). */
export function effectiveRole(
  memberRole: ProjectRole | null,
  platformRole: PlatformRole,
  status: UserStatus,
): ProjectRole | null {
  if (status !== 'ACTIVE') return null
  const floor = everyProjectRole(platformRole, status)
  if (!memberRole) return floor
  if (!floor) return memberRole
  return RANK[floor] > RANK[memberRole] ? floor : memberRole
}
