// Creating and revoking API keys with their audit rows, in one transaction: the admin API and the
// `muster api-key …` commands both come through here, so the audit trail shows either.
import { createApiKey, getApiKey, revokeApiKey } from '../store/api-keys.js'
import type { Store } from '../store/database.js'
import { type AuditBy, audit } from './audit.js'

/** A new key of `by.platformId`; the secret is returned once and never recorded. */
export function issueApiKey(store: Store, by: AuditBy, name: string) {
  return store.transaction(async (trx) => {
    const created = await createApiKey(trx, by.platformId, name)
    // Named by its last characters as the console shows them.
    await audit(trx, by, {
      action: 'api_key.created',
      target: { type: 'api_key', id: created.key.id, name },
      details: { key: `sk-…${created.key.truncated}` },
    })
    return created
  })
}

/** Revokes a live key of `by.platformId`; false when there is none with this id. */
export function withdrawApiKey(store: Store, by: AuditBy, id: string): Promise<boolean> {
  return revokeApiKey(store, id, by.platformId, async (trx) => {
    const key = await getApiKey(trx, id)
    await audit(trx, by, {
      action: 'api_key.revoked',
      target: { type: 'api_key', id, name: key?.name },
      details: key ? { key: `sk-…${key.truncated}` } : {},
    })
  })
}
