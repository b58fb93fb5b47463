// Single sign-on settings of the signed-in admin's platform (the console page
// /platform/security/sso), the Test sign-in start, its result, and the sign-in log. The same
// operations back `muster sso …` (sso/configure.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { AuditAction } from '../../domain/audit.js'
import {
  auditSso,
  ConfigureError,
  configureDomains,
  configureOidc,
  configureSaml,
  configureToggles,
  removeOidc,
  removeSaml,
  ssoView,
} from '../../sso/configure.js'
import { startOidcSignIn } from '../../sso/oidc.js'
import { SignInRefused } from '../../sso/refusals.js'
import { startSamlSignIn } from '../../sso/saml.js'
import { listSignIns } from '../../store/sign-in-events.js'
import { getTestResult } from '../../store/sso-requests.js'
import { getSsoSettings } from '../../store/sso-settings.js'
import { originOf, setOidcFlowCookie } from '../authn/index.js'
import { sendRefusalPage } from '../authn/page.js'
import { InputError, notFound, validate } from './errors.js'
import type { AdminOptions } from './options.js'
import { paging } from './paging.js'
import { auditBy } from './write.js'

const samlBody = z
  .object({
    metadataXml: z
      .string()
      .max(1024 * 1024)
      .optional(),
    metadataUrl: z.string().max(2048).optional(),
  })
  .refine((b) => !!b.metadataXml?.trim() !== !!b.metadataUrl?.trim(), {
    message: 'Paste the metadata XML or give its URL (one of the two).',
  })

const oidcBody = z.object({
  issuer: z.string({ error: 'Enter the issuer URL.' }).trim().min(1, 'Enter the issuer URL.').max(2048),
  clientId: z.string({ error: 'Enter the client id.' }).trim().min(1, 'Enter the client id.').max(500),
  clientSecret: z.string().max(2000).optional(),
})

const domainsBody = z.object({ domains: z.array(z.string().max(253)).max(100) })

const settingsBody = z
  .object({
    requireSso: z.boolean().optional(),
    createUsers: z.boolean().optional(),
    allowIdpInitiated: z.boolean().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Send requireSso, createUsers or allowIdpInitiated.',
  })

const signInQuery = z.object({
  outcome: z.enum(['accepted', 'refused'], 'Choose accepted or refused.').optional(),
  method: z.enum(['password', 'saml', 'oidc'], 'Choose password, saml or oidc.').optional(),
  ...paging,
})

export async function ssoRoutes(app: FastifyInstance, { store, config, box }: AdminOptions): Promise<void> {
  const view = async (request: FastifyRequest) =>
    ssoView(await getSsoSettings(store.db, request.admin.platformId), originOf(request, config))

  /** Runs a change and answers the new view; a ConfigureError becomes a field error. */
  async function change(request: FastifyRequest, fn: () => Promise<unknown>) {
    try {
      await fn()
    } catch (error) {
      if (error instanceof ConfigureError)
        throw new InputError({ [error.field]: error.message }, error.message)
      throw error
    }
    return view(request)
  }

  /** Audits an SSO change in its own transaction; a change that changed nothing writes no row. */
  const audited = (
    request: FastifyRequest,
    action: AuditAction,
    name: string,
    extra: Record<string, unknown> = {},
  ) => auditSso(auditBy(request), action, name, extra)

  app.get('/sso', async (request) => view(request))

  app.put('/sso/saml', async (request) => {
    const body = validate(samlBody, request.body)
    const source = body.metadataXml?.trim() ? { xml: body.metadataXml } : { url: body.metadataUrl!.trim() }
    return change(request, () =>
      configureSaml(store, request.admin.platformId, source, audited(request, 'sso.saml_changed', 'SAML')),
    )
  })

  app.delete('/sso/saml', async (request) =>
    change(request, () =>
      removeSaml(store, request.admin.platformId, audited(request, 'sso.saml_removed', 'SAML')),
    ),
  )

  app.put('/sso/oidc', async (request) => {
    const body = validate(oidcBody, request.body)
    // The secret is never recorded: only that a new one was given.
    const secret = body.clientSecret ? { clientSecret: 'replaced' } : {}
    const hook = audited(request, 'sso.oidc_changed', 'OpenID Connect', secret)
    return change(request, () => configureOidc(store, box, request.admin.platformId, body, hook))
  })

  app.delete('/sso/oidc', async (request) =>
    change(request, () =>
      removeOidc(store, request.admin.platformId, audited(request, 'sso.oidc_removed', 'OpenID Connect')),
    ),
  )

  app.put('/sso/domains', async (request) => {
    const { domains } = validate(domainsBody, request.body)
    const hook = audited(request, 'sso.domains_changed', 'Single sign-on')
    return change(request, () => configureDomains(store, request.admin.platformId, domains, hook))
  })

  app.patch('/sso/settings', async (request) => {
    const body = validate(settingsBody, request.body)
    if (body.requireSso) {
      const settings = await getSsoSettings(store.db, request.admin.platformId)
      if (!settings.saml && !settings.oidc)
        throw new InputError(
          { requireSso: 'Set up SAML or OpenID Connect first: nobody could sign in.' },
          'Set up SAML or OpenID Connect first.',
        )
    }
    const hook = audited(request, 'sso.settings_changed', 'Single sign-on')
    return change(request, () => configureToggles(store, request.admin.platformId, body, hook))
  })

  // Test sign-in: opened in a new tab by the console. It starts the real flow in test mode (checks
  // everything, creates no session) and lands on the result page.
  app.get<{ Params: { protocol: string } }>('/sso/test/:protocol', async (request, reply) => {
    const { protocol } = request.params
    const origin = originOf(request, config)
    const { platformId } = request.admin
    try {
      if (protocol === 'saml')
        return reply.redirect(await startSamlSignIn(store, origin, platformId, { test: true }), 302)
      if (protocol === 'oidc') {
        const { url, state } = await startOidcSignIn(store, box, origin, platformId, { test: true })
        setOidcFlowCookie(reply, origin, state)
        return reply.redirect(url, 302)
      }
    } catch (error) {
      // This runs in a browser tab: a page, not JSON (the IdP is not set up, or does not answer).
      if (error instanceof SignInRefused) return sendRefusalPage(reply, error.code, request.id)
      throw error
    }
    throw notFound('The protocol')
  })

  app.get<{ Params: { id: string } }>('/sso/test-results/:id', async (request) => {
    const found = await getTestResult(store.db, request.admin.platformId, request.params.id)
    if (!found) throw notFound('The test result')
    return { createdAt: found.createdAt, ...found.result }
  })

  app.get('/sign-ins', async (request) => {
    const query = validate(signInQuery, request.query)
    const { total, events } = await listSignIns(store.db, request.admin.platformId, query)
    return { total, limit: query.limit, offset: query.offset, events }
  })
}
