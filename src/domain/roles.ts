// Effective project roles (SPEC.md "Project member"), the one place they are computed: the higher of
// the member's project role and what the platform role implies (ADMIN → Admin of every project,
// OPERATOR → at least Editor). A platform role raises, never lowers; an INACTIVE user has none.
// The console, the admin API and the SETs all read roles through here.
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

/** Adds `effectiveRole` to a membership as the console shows it. */
export function withEffectiveRole<T extends { role: ProjectRole }>(
  membership: T,
  user: { platformRole: PlatformRole; status: UserStatus },
): T & { effectiveRole: ProjectRole | null } {
  return { ...membership, effectiveRole: effectiveRole(membership.role, user.platformRole, user.status) }
}
