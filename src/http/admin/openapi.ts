// A hand-written OpenAPI 3.1 description of the admin API, served at /api/v1/openapi.json, with a
// small page at /api/v1/docs. Kept compact on purpose: paths, parameters and shapes, not prose.
import type { FastifyInstance } from 'fastify'
import { auditPaths } from './openapi-audit.js'
import { consolePaths, consoleSchemas } from './openapi-console.js'
import { eventPaths, eventSchemas } from './openapi-events.js'

const json = (schema: object) => ({ content: { 'application/json': { schema } } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const ok = (schema: object, description = 'OK') => ({ description, ...json(schema) })
const errors = {
  '400': { description: 'Invalid input', ...json(ref('InputError')) },
  '401': { description: 'Not signed in', ...json(ref('Error')) },
  '403': {
    description: 'Cross-site request refused, or the session is not an admin’s',
    ...json(ref('Error')),
  },
  '404': { description: 'Not found', ...json(ref('Error')) },
}
const query = (name: string, schema: object, description?: string) => ({
  name,
  in: 'query',
  schema,
  ...(description ? { description } : {}),
})
const path = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } })
const pageParams = [
  query('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 }),
  query('offset', { type: 'integer', minimum: 0, default: 0 }),
]
const str = { type: 'string' }
const nullable = (type: string) => ({ type: [type, 'null'] })
const obj = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
})
const projectRole = { enum: ['Admin', 'Editor', 'Viewer'] }
const platformRole = { enum: ['ADMIN', 'OPERATOR', 'MEMBER'] }
/** The higher of the project role and what the platform role gives; null for inactive users. */
const effectiveRole = { enum: ['Admin', 'Editor', 'Viewer', null] }
const userSource = { enum: ['scim', 'sso', 'local'] }
const csv = (description: string) => ({
  description,
  content: { 'text/csv': { schema: { type: 'string' } } },
})
const logFilters = [
  query('from', { type: 'string', format: 'date-time' }, 'inclusive'),
  query('to', { type: 'string', format: 'date-time' }, 'exclusive'),
  query('status', str, 'success, failure or a status code'),
  query('resourceType', str),
  query('resourceId', str),
  query('method', { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }),
  query('apiKeyId', str),
  query('q', str, 'a request id or resource id (exact), or part of a userName or displayName (any case)'),
  query('user', str, "a user's id: their events and the group writes that added or removed them"),
  query('afterId', { type: 'integer' }, 'only events newer than this id (the live view counts them)'),
]

const userFilters = [
  query('q', str, 'case-insensitive substring of email, names or externalId'),
  query('role', platformRole),
  query('status', { enum: ['ACTIVE', 'INACTIVE'] }),
  query('source', userSource),
]
const roleChoice = query('role', { enum: ['Admin', 'Editor', 'Viewer', ''] }, 'empty: none of its own')

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Muster admin API',
    version: '1',
    description:
      'The JSON API of the Muster console. Sign in with POST /auth/sign-in; the session is an HttpOnly ' +
      'cookie. State-changing calls from a browser must be same-origin (Sec-Fetch-Site / Origin). ' +
      'Every call is scoped to the signed-in admin’s platform. SCIM itself lives at /api/v1/scim/v2.',
  },
  servers: [{ url: '/api/v1' }],
  components: {
    securitySchemes: {
      session: { type: 'apiKey', in: 'cookie', name: 'muster_session' },
      apiKey: { type: 'http', scheme: 'bearer', description: 'A platform API key (poll only)' },
    },
    schemas: {
      ...eventSchemas,
      ...consoleSchemas,
      Error: obj({ error: str, message: str }),
      InputError: obj({
        error: { const: 'invalid_input' },
        message: str,
        fields: { type: 'object', additionalProperties: str },
      }),
      ApiKey: obj({
        id: str,
        name: str,
        truncated: str,
        createdAt: str,
        lastUsedAt: nullable('string'),
        revokedAt: nullable('string'),
        lastClient: {
          type: ['string', 'null'],
          description: 'User-Agent of the client that last used the key',
        },
      }),
      UserProject: obj({
        id: str,
        displayName: str,
        role: projectRole,
        roleExplicit: { type: 'boolean', description: 'set by an admin by hand (else follows the project)' },
        effectiveRole: { ...effectiveRole },
      }),
      User: obj({
        id: str,
        email: str,
        firstName: nullable('string'),
        lastName: nullable('string'),
        displayName: nullable('string'),
        platformRole,
        status: { enum: ['ACTIVE', 'INACTIVE'] },
        externalId: nullable('string'),
        source: userSource,
        hasPassword: { type: 'boolean' },
        createdAt: str,
        updatedAt: str,
        version: { type: 'integer' },
        projects: { type: 'array', items: ref('UserProject') },
      }),
      Project: obj({
        id: str,
        displayName: str,
        externalId: nullable('string'),
        projectRole: { enum: ['Admin', 'Editor', 'Viewer', null] },
        memberCount: { type: 'integer' },
        createdAt: str,
        updatedAt: str,
      }),
      Member: obj({
        userId: str,
        email: str,
        displayName: nullable('string'),
        platformRole,
        status: str,
        role: projectRole,
        roleExplicit: { type: 'boolean' },
        effectiveRole,
      }),
      RoleImpact: obj({
        role: projectRole,
        affected: { type: 'integer', description: 'members whose role would change' },
        explicit: { type: 'integer', description: 'members who keep a role set by hand' },
        members: {
          type: 'array',
          description: 'the first 20 affected, by email, with their current role',
          items: { allOf: [ref('Member'), obj({ projectId: str, projectName: str })] },
        },
      }),
      Event: obj({
        id: { type: 'integer' },
        createdAt: str,
        requestId: nullable('string'),
        apiKeyId: nullable('string'),
        apiKeyName: nullable('string'),
        actorType: { enum: ['scim', 'console', 'sso'] },
        actorUserId: nullable('string'),
        actorEmail: nullable('string'),
        method: str,
        path: str,
        status: { type: 'integer' },
        resourceType: nullable('string'),
        resourceId: nullable('string'),
        resourceName: {
          ...nullable('string'),
          description: "the user's userName or the group's displayName as of the event",
        },
        resourceExists: { type: 'boolean', description: 'false once the user or group is deleted' },
        changes: {
          type: ['object', 'null'],
          description:
            'attributes: names written; values: [{path, from?, to?, redacted?}] old → new (a password only as redacted); membersAdded/membersRemoved: user ids (first 100) with exact counts; memberRole: {userId, from, to}',
        },
        error: nullable('string'),
        durationMs: { type: 'integer' },
      }),
      Named: obj({ id: str, type: { enum: ['User', 'Group'] }, name: str, displayName: nullable('string') }),
      SsoSettings: obj({
        platformId: str,
        sp: obj({
          entityId: str,
          acsUrl: str,
          loginUrl: str,
          metadataUrl: str,
          oidcRedirectUri: str,
          oidcLoginUrl: str,
        }),
        saml: {
          type: ['object', 'null'],
          properties: {
            idpEntityId: str,
            ssoUrl: str,
            metadataUrl: nullable('string'),
            updatedAt: str,
            certificates: {
              type: 'array',
              items: obj({
                subject: str,
                notBefore: nullable('string'),
                notAfter: nullable('string'),
                fingerprint: nullable('string'),
              }),
            },
          },
        },
        oidc: {
          type: ['object', 'null'],
          properties: { issuer: str, clientId: str, clientSecretSet: { const: true }, updatedAt: str },
        },
        domains: { type: 'array', items: str },
        requireSso: { type: 'boolean' },
        createUsers: { type: 'boolean' },
        allowIdpInitiated: { type: 'boolean' },
      }),
      SignIn: obj({
        id: { type: 'integer' },
        createdAt: str,
        method: { enum: ['password', 'saml', 'oidc'] },
        subject: nullable('string'),
        userId: nullable('string'),
        userEmail: nullable('string'),
        outcome: { enum: ['accepted', 'refused'] },
        reason: { ...nullable('string'), description: 'stable refusal code, e.g. saml_replay' },
        message: str,
        test: { type: 'boolean' },
        requestId: nullable('string'),
      }),
      Settings: obj({
        platform: obj({ id: str, name: str }),
        defaultProjectRole: { enum: ['Admin', 'Editor', 'Viewer', null] },
        serverDefaultProjectRole: projectRole,
        effectiveDefaultProjectRole: projectRole,
      }),
    },
  },
  security: [{ session: [] }],
  paths: {
    ...eventPaths,
    ...consolePaths,
    ...auditPaths,
    '/setup/{token}': {
      get: {
        summary: 'Check a first-admin setup link',
        security: [],
        parameters: [path('token')],
        responses: {
          '200': ok(obj({ platform: obj({ id: str, name: str }), email: nullable('string') })),
          ...errors,
        },
      },
    },
    '/setup': {
      post: {
        summary: 'Create the first admin from a setup link (signs them in)',
        security: [],
        requestBody: json(
          obj(
            {
              token: str,
              email: str,
              password: { type: 'string', minLength: 12 },
              firstName: str,
              lastName: str,
            },
            ['token', 'email', 'password'],
          ),
        ),
        responses: { '201': ok(obj({ userId: str, email: str }), 'Created; session cookie set'), ...errors },
      },
    },
    '/auth/sign-in': {
      post: {
        summary: 'Sign in with email and password',
        security: [],
        requestBody: json(obj({ email: str, password: str })),
        responses: {
          '200': ok(obj({ userId: str, platformId: str }), 'Signed in; session cookie set'),
          '401': { description: 'Email or password is incorrect', ...json(ref('Error')) },
          '403': {
            description:
              'The password was correct, but the platform requires SSO (sso_required), the account is not an ADMIN (no_console_access) or is deactivated (account_inactive)',
            ...json(ref('Error')),
          },
          '429': { description: 'Too many failed attempts; see Retry-After', ...json(ref('Error')) },
        },
      },
    },
    '/auth/sign-out': {
      post: { summary: 'End the session', responses: { '204': { description: 'Signed out' } } },
    },
    '/auth/sso': {
      post: {
        summary:
          'Sign in with SSO: the IdP sign-in address of the platform that claims the email domain (the answer depends on the domain only)',
        security: [],
        requestBody: json(obj({ email: str, next: str }, ['email'])),
        responses: {
          '200': ok(obj({ redirect: nullable('string'), message: str }, ['redirect'])),
          '400': errors['400'],
        },
      },
    },
    '/account': {
      get: {
        summary: 'The signed-in person (any role): platform role and projects with effective roles',
        responses: {
          '200': ok(
            obj({
              user: obj({
                id: str,
                email: str,
                displayName: nullable('string'),
                firstName: nullable('string'),
                lastName: nullable('string'),
                platformRole,
              }),
              platform: obj({ id: str, name: str }),
              consoleAccess: { type: 'boolean' },
              projects: { type: 'array', items: ref('UserProject') },
            }),
          ),
          '401': errors['401'],
        },
      },
    },
    '/auth/me': {
      get: {
        summary: 'The signed-in admin and platform',
        responses: {
          '200': ok(
            obj({
              user: obj({ id: str, email: str, displayName: nullable('string') }),
              platform: obj({ id: str, name: str }),
              scimUrl: str,
            }),
          ),
          ...errors,
        },
      },
    },
    '/api-keys': {
      get: {
        summary: 'List API keys',
        responses: { '200': ok(obj({ keys: { type: 'array', items: ref('ApiKey') } })), ...errors },
      },
      post: {
        summary: 'Create an API key (the secret is returned only here)',
        requestBody: json(obj({ name: str })),
        responses: { '201': ok(obj({ key: ref('ApiKey'), secret: str }), 'Created'), ...errors },
      },
    },
    '/api-keys/{id}': {
      delete: {
        summary: 'Revoke an API key at once',
        parameters: [path('id')],
        responses: { '204': { description: 'Revoked' }, ...errors },
      },
    },
    '/users': {
      get: {
        summary: 'List users',
        parameters: [
          ...userFilters,
          query('sort', { enum: ['name', 'email', 'role', 'status', 'updated'], default: 'email' }),
          query('order', { enum: ['asc', 'desc'], default: 'asc' }),
          ...pageParams,
        ],
        responses: {
          '200': ok(
            obj({
              total: { type: 'integer' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
              users: { type: 'array', items: ref('User') },
            }),
          ),
          ...errors,
        },
      },
    },
    '/users.csv': {
      get: {
        summary: "The users of the filter as CSV, streamed (RFC 4180; formula-like cells prefixed with ')",
        parameters: userFilters,
        responses: { '200': csv('CSV, one user per line'), ...errors },
      },
    },
    '/users/{id}': {
      get: {
        summary: 'One user: console view, the SCIM resource, last sign-in and recent provisioning events',
        parameters: [path('id')],
        responses: {
          '200': ok(
            obj({
              user: ref('User'),
              scim: { type: 'object', description: 'what GET /Users/{id} answers over SCIM' },
              lastSignIn: {
                type: ['object', 'null'],
                properties: { method: { enum: ['password', 'saml', 'oidc'] }, at: str },
              },
              events: {
                type: 'array',
                items: obj({
                  id: { type: 'integer' },
                  createdAt: str,
                  method: str,
                  path: str,
                  status: { type: 'integer' },
                  actor: str,
                }),
              },
            }),
          ),
          ...errors,
        },
      },
      patch: {
        summary: 'Change platform role and/or deactivate/reactivate (updates the SCIM resource too)',
        parameters: [path('id')],
        requestBody: json(
          obj(
            {
              platformRole,
              active: { type: 'boolean' },
              version: { type: 'integer', description: '412 when the user changed since' },
            },
            [],
          ),
        ),
        responses: { '200': ok(obj({ user: ref('User') })), ...errors },
      },
    },
    '/projects': {
      get: {
        summary: 'List projects',
        parameters: [query('q', str), ...pageParams],
        responses: {
          '200': ok(obj({ total: { type: 'integer' }, projects: { type: 'array', items: ref('Project') } })),
          ...errors,
        },
      },
    },
    '/projects/{id}': {
      get: {
        summary: 'A project and a page of its members with effective roles',
        parameters: [path('id'), query('q', str), ...pageParams],
        responses: {
          '200': ok(
            obj({
              project: ref('Project'),
              members: obj({ total: { type: 'integer' }, items: { type: 'array', items: ref('Member') } }),
            }),
          ),
          ...errors,
        },
      },
      patch: {
        summary: 'Set the project’s role for members (null: the platform default); see role-impact first',
        parameters: [path('id')],
        requestBody: json(obj({ projectRole: { enum: ['Admin', 'Editor', 'Viewer', null] } })),
        responses: { '200': ok(obj({ project: ref('Project') })), ...errors },
      },
    },
    '/projects/default-role-impact': {
      get: {
        summary: 'Whom setting the platform default project role would change',
        parameters: [roleChoice],
        responses: { '200': ok(ref('RoleImpact')), ...errors },
      },
    },
    '/projects/memberships.csv': {
      get: {
        summary: 'Every membership of every project as CSV, streamed',
        responses: { '200': csv('CSV, one membership per line'), ...errors },
      },
    },
    '/projects/{id}/members.csv': {
      get: {
        summary: 'The project’s memberships as CSV, streamed',
        parameters: [path('id')],
        responses: { '200': csv('CSV, one membership per line'), ...errors },
      },
    },
    '/projects/{id}/role-impact': {
      get: {
        summary: 'Whom setting the project’s role would change (members whose role is not set by hand)',
        parameters: [path('id'), roleChoice],
        responses: { '200': ok(ref('RoleImpact')), ...errors },
      },
    },
    '/projects/{id}/members/{userId}': {
      patch: {
        summary: 'Set a member’s project role by hand (null: follow the project’s role again)',
        parameters: [path('id'), path('userId')],
        requestBody: json(obj({ role: { enum: ['Admin', 'Editor', 'Viewer', null] } })),
        responses: { '200': ok(obj({ projectId: str, userId: str, role: projectRole })), ...errors },
      },
    },
    '/settings': {
      get: { summary: 'Platform settings', responses: { '200': ok(ref('Settings')), ...errors } },
      patch: {
        summary:
          'Set the default project role (null: server default); members who follow it take it (see /projects/default-role-impact)',
        requestBody: json(obj({ defaultProjectRole: { enum: ['Admin', 'Editor', 'Viewer', null] } })),
        responses: { '200': ok(ref('Settings')), ...errors },
      },
    },
    '/events.csv': {
      get: {
        summary:
          'The provisioning log of the filter as CSV, newest first, streamed (names, old → new; the /events filters)',
        parameters: logFilters,
        responses: { '200': csv('CSV, one event per line'), ...errors },
      },
    },
    '/events': {
      get: {
        summary: 'Provisioning log, newest first',
        parameters: [...logFilters, ...pageParams],
        responses: {
          '200': ok(
            obj({
              total: { type: 'integer' },
              events: { type: 'array', items: ref('Event') },
              names: {
                type: 'array',
                description: 'the users the events name by id (members added or removed), as they are now',
                items: ref('Named'),
              },
            }),
          ),
          ...errors,
        },
      },
    },
    '/sso': {
      get: {
        summary:
          'Single sign-on settings and the SP addresses to paste into the IdP (never the client secret)',
        responses: { '200': ok(ref('SsoSettings')), ...errors },
      },
    },
    '/sso/saml': {
      put: {
        summary: 'Load IdP metadata (XML or an https URL): entity ID, sign-on URL, all signing certificates',
        requestBody: json(obj({ metadataXml: str, metadataUrl: str }, [])),
        responses: { '200': ok(ref('SsoSettings')), ...errors },
      },
      delete: {
        summary: 'Remove the SAML settings',
        responses: { '200': ok(ref('SsoSettings')), ...errors },
      },
    },
    '/sso/oidc': {
      put: {
        summary:
          'Set the OpenID Connect issuer (discovered now), client id and secret (write-only; omit to keep the stored one)',
        requestBody: json(obj({ issuer: str, clientId: str, clientSecret: str }, ['issuer', 'clientId'])),
        responses: { '200': ok(ref('SsoSettings')), ...errors },
      },
      delete: {
        summary: 'Remove the OIDC settings',
        responses: { '200': ok(ref('SsoSettings')), ...errors },
      },
    },
    '/sso/domains': {
      put: {
        summary: 'Replace the email domains this platform claims (a domain belongs to one platform)',
        requestBody: json(obj({ domains: { type: 'array', items: str } })),
        responses: { '200': ok(ref('SsoSettings')), ...errors },
      },
    },
    '/sso/settings': {
      patch: {
        summary: 'Require SSO, Create users on first sign-in, Allow IdP-initiated sign-in',
        requestBody: json(
          obj(
            {
              requireSso: { type: 'boolean' },
              createUsers: { type: 'boolean' },
              allowIdpInitiated: { type: 'boolean' },
            },
            [],
          ),
        ),
        responses: { '200': ok(ref('SsoSettings')), ...errors },
      },
    },
    '/sso/test/{protocol}': {
      get: {
        summary: 'Test sign-in: starts the real flow in test mode (no session); opened in a new tab',
        parameters: [{ name: 'protocol', in: 'path', required: true, schema: { enum: ['saml', 'oidc'] } }],
        responses: { '302': { description: 'To the IdP' }, ...errors },
      },
    },
    '/sso/test-results/{id}': {
      get: {
        summary: 'What the IdP sent in a test sign-in and why it was accepted or refused',
        parameters: [path('id')],
        responses: { '200': ok({ type: 'object' }), ...errors },
      },
    },
    '/sign-ins': {
      get: {
        summary: 'Sign-in log (password, SAML, OIDC), newest first',
        parameters: [
          query('outcome', { enum: ['accepted', 'refused'] }),
          query('method', { enum: ['password', 'saml', 'oidc'] }),
          ...pageParams,
        ],
        responses: {
          '200': ok(obj({ total: { type: 'integer' }, events: { type: 'array', items: ref('SignIn') } })),
          ...errors,
        },
      },
    },
    '/events/{id}': {
      get: {
        summary: 'One event, with its redacted request and response bodies while they are kept',
        parameters: [path('id')],
        responses: {
          '200': ok(
            obj({
              event: {
                allOf: [
                  ref('Event'),
                  obj({
                    bodies: {
                      type: ['object', 'null'],
                      description: 'null once pruned (LOG_BODY_RETENTION_HOURS) or never kept',
                      properties: { request: nullable('string'), response: nullable('string') },
                    },
                  }),
                ],
              },
              names: { type: 'array', items: ref('Named') },
            }),
          ),
          ...errors,
        },
      },
    },
  },
} as const

const DOCS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Muster admin API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:3rem auto;padding:0 1rem}code{background:#f2f2f5;padding:0 .25rem}</style>
</head><body><h1>Muster admin API</h1>
<p>The OpenAPI 3.1 description is at <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a>;
open it in any OpenAPI viewer or generator.</p>
<p>SCIM 2.0 for identity providers is at <code>/api/v1/scim/v2</code> (bearer: an API key).</p></body></html>`

export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', async () => openApiDocument)
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(DOCS_PAGE))
}
