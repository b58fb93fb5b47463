// What a write changed, as the journal, the audit log and the event outbox read it (journal.ts writes
// all three in the change's transaction).
import type { MemberState } from '../store/members.js'
import type { ProjectRole, ProjectRow, UserRow } from '../store/schema.js'

/** How a change was asked for: SCIM's verbs, or a member role set in the console. */
export type UpdateKind = 'replace' | 'patch'

export type Change =
  | {
      readonly type: 'User'
      readonly op: 'create'
      readonly after: UserRow
      /** A password came with the new user (hashed or dropped, never stored in the resource). */
      readonly password?: boolean | undefined
    }
  | {
      readonly type: 'User'
      readonly op: UpdateKind
      readonly before: UserRow
      readonly after: UserRow
      /** Attributes whose value changed (empty when the write changed nothing). */
      readonly changed: readonly string[]
    }
  | { readonly type: 'User'; readonly op: 'delete'; readonly before: UserRow }
  | {
      readonly type: 'Group'
      readonly op: 'create'
      readonly after: ProjectRow
      readonly added: readonly string[]
      /** The project role the added members were given. */
      readonly memberRole?: ProjectRole | undefined
    }
  | {
      readonly type: 'Group'
      readonly op: UpdateKind
      readonly before: ProjectRow
      readonly after: ProjectRow
      readonly changed: readonly string[]
      readonly added: readonly string[]
      readonly removed: readonly string[]
      /** The project role the added members were given. */
      readonly memberRole?: ProjectRole | undefined
      /** Set when a projectRole change gave this role to every member who follows the project's role. */
      readonly allMembersRole?: ProjectRole | undefined
      /** Platform role and status of named members, when the write read them already (addOneMember). */
      readonly memberStates?: ReadonlyMap<string, MemberState> | undefined
    }
  | { readonly type: 'Group'; readonly op: 'delete'; readonly before: ProjectRow }
  | {
      readonly type: 'Member'
      readonly op: 'role'
      readonly project: ProjectRow
      readonly userId: string
      readonly before: ProjectRole
      readonly after: ProjectRole
    }
