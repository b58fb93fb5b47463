// A user's platform role and status, changed only after an explicit confirm that shows old → new.
// Moving through the role list (arrow keys, typing) only picks a value; nothing is sent until the
// admin presses "Change role…" and confirms. Users provisioned over SCIM are the IdP's: it may write
// these fields again at its next sync, and the dialog says so.
import { useEffect, useState } from 'react'
import { type ApiError, api, type PlatformRole, type User } from '../api'
import { ConfirmDialog } from './confirm-dialog'
import { Badge, ErrorMessage } from './ui'

const ROLES: PlatformRole[] = ['ADMIN', 'OPERATOR', 'MEMBER']

type Pending = { kind: 'role'; to: PlatformRole } | { kind: 'active'; to: boolean }

export const IDP_NOTE =
  'Provisioned by your identity provider: it may overwrite this at its next sync if it still sends a different value.'

export function UserAccess({
  user,
  self,
  onChanged,
  layout = 'row',
}: {
  user: User
  /** The signed-in admin's own account: they cannot demote or deactivate themselves. */
  self: boolean
  onChanged(user: User): void
  layout?: 'row' | 'page'
}) {
  const [draft, setDraft] = useState<PlatformRole>(user.platformRole)
  const [pending, setPending] = useState<Pending>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  useEffect(() => setDraft(user.platformRole), [user.platformRole])

  const apply = async (change: Pending) => {
    setBusy(true)
    setError(undefined)
    try {
      const body = change.kind === 'role' ? { platformRole: change.to } : { active: change.to }
      // The version this page showed: if the IdP changed the user meanwhile, the change fails (412).
      const { user: next } = await api<{ user: User }>('PATCH', `/users/${user.id}`, {
        ...body,
        version: user.version,
      })
      setPending(undefined)
      onChanged(next)
    } catch (reason) {
      setError(reason as ApiError)
      setPending(undefined)
    } finally {
      setBusy(false)
    }
  }

  const idp = user.source === 'scim'
  const name = user.displayName ?? user.email
  const active = user.status === 'ACTIVE'
  return (
    <div className={layout === 'page' ? 'access access-page' : 'access'}>
      <span className="access-role">
        {layout === 'page' && (
          <span className="muted" aria-hidden="true">
            Platform role
          </span>
        )}
        <select
          aria-label={`Platform role of ${user.email}`}
          value={draft}
          disabled={self || busy}
          title={self ? 'You cannot change your own role' : undefined}
          onChange={(e) => setDraft(e.target.value as PlatformRole)}
        >
          {ROLES.map((role) => (
            <option key={role}>{role}</option>
          ))}
        </select>
        {draft !== user.platformRole && (
          <>
            <button
              type="button"
              className="button-small button-primary"
              aria-label={`Change role of ${user.email} to ${draft}…`}
              onClick={() => setPending({ kind: 'role', to: draft })}
            >
              Change role…
            </button>
            <button type="button" className="button-small" onClick={() => setDraft(user.platformRole)}>
              Undo
            </button>
          </>
        )}
      </span>
      {layout === 'page' && <Badge tone={active ? 'good' : 'bad'}>{active ? 'Active' : 'Inactive'}</Badge>}
      {!self && (
        <button
          type="button"
          className="button-small"
          aria-label={`${active ? 'Deactivate' : 'Reactivate'} ${user.email}…`}
          disabled={busy}
          onClick={() => setPending({ kind: 'active', to: !active })}
        >
          {active ? 'Deactivate…' : 'Reactivate…'}
        </button>
      )}
      {error && <ErrorMessage error={error} />}
      <ConfirmDialog
        open={pending !== undefined}
        title={
          pending?.kind === 'role'
            ? `Change the platform role of ${name}?`
            : pending?.to
              ? `Reactivate ${name}?`
              : `Deactivate ${name}?`
        }
        confirmLabel={
          pending?.kind === 'role' ? `Make ${pending.to}` : pending?.to ? 'Reactivate' : 'Deactivate'
        }
        busy={busy}
        onConfirm={() => pending && apply(pending)}
        onCancel={() => {
          if (busy) return
          setPending(undefined)
          if (pending?.kind === 'role') setDraft(user.platformRole)
        }}
      >
        {pending?.kind === 'role' && (
          <p>
            <strong>{user.email}</strong>: <span className="old-value">{user.platformRole}</span> →{' '}
            <strong className="new-value">{pending.to}</strong>.{' '}
            {pending.to === 'ADMIN'
              ? 'ADMINs are Admins of every project and can use this console.'
              : pending.to === 'OPERATOR'
                ? 'OPERATORs are at least Editors of every project.'
                : 'MEMBERs have only the roles of their projects.'}
          </p>
        )}
        {pending?.kind === 'active' && (
          <p>
            <strong>{user.email}</strong>: <span className="old-value">{active ? 'Active' : 'Inactive'}</span>{' '}
            → <strong className="new-value">{pending.to ? 'Active' : 'Inactive'}</strong>.{' '}
            {pending.to
              ? 'They can sign in again and get back their effective roles.'
              : 'They keep their memberships but can no longer sign in and have no effective role; SCIM reports them as active: false.'}
          </p>
        )}
        {idp && <p className="idp-note">{IDP_NOTE}</p>}
      </ConfirmDialog>
    </div>
  )
}
