// The session, SCIM health and connection-test part of the admin API description (merged into
// openapi.ts), beside the sign-in routes it extends.
const json = (schema: object) => ({ content: { 'application/json': { schema } } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const ok = (schema: object, description = 'OK') => ({ description, ...json(schema) })
const str = { type: 'string' }
const int = { type: 'integer' }
const nullable = (type: string) => ({ type: [type, 'null'] })
const obj = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
})
const errors = {
  '400': { description: 'Invalid input', ...json(ref('InputError')) },
  '401': { description: 'Not signed in, or the session was ended (see SessionEnded)', ...json(ref('Error')) },
  '403': { description: 'Cross-site request refused, or not an admin’s session', ...json(ref('Error')) },
}

export const consoleSchemas = {
  SessionEnded: obj({
    reason: { enum: ['role_changed', 'deactivated', 'deleted'] },
    role: { type: ['string', 'null'], enum: ['ADMIN', 'OPERATOR', 'MEMBER', null] },
    by: { type: ['string', 'null'], description: "'scim' (the identity provider), 'console' or 'sso'" },
    endedAt: str,
    message: str,
  }),
}

export const consolePaths = {
  '/auth/session': {
    get: {
      summary:
        'Whether the session cookie is live, and if a role change or deactivation ended it, why, by whom and when. A console call with such a cookie answers 401 with error "session_ended" and the same fields.',
      security: [],
      responses: {
        '200': ok(
          obj({ signedIn: { type: 'boolean' }, ended: { oneOf: [ref('SessionEnded'), { type: 'null' }] } }),
        ),
      },
    },
  },
  '/scim-health': {
    get: {
      summary:
        'SCIM health: the last SCIM request in the log, refused or failed requests of the last 24 h, and the client (User-Agent) that last used each live key',
      responses: {
        '200': ok(
          obj({
            lastRequest: {
              oneOf: [
                obj(
                  {
                    id: int,
                    at: str,
                    method: str,
                    path: str,
                    status: int,
                    apiKeyId: nullable('string'),
                    apiKeyName: nullable('string'),
                  },
                  ['id', 'at', 'method', 'path', 'status'],
                ),
                { type: 'null' },
              ],
            },
            errors: obj({ since: str, count: int }),
            keys: {
              type: 'array',
              items: obj({
                id: str,
                name: str,
                truncated: str,
                lastUsedAt: str,
                lastClient: nullable('string'),
              }),
            },
          }),
        ),
        ...errors,
      },
    },
  },
  '/scim-connection-test': {
    post: {
      summary:
        'Send Entra ID’s Test Connection request (a filtered GET for a random GUID) with this secret to the tenant URL the console shows, from this server; report what answered and what was not tested',
      requestBody: json(obj({ secret: str })),
      responses: {
        '200': ok(
          obj({
            ok: { type: 'boolean' },
            verdict: { enum: ['ok', 'unreachable', 'refused_key', 'unexpected'] },
            tenantUrl: str,
            request: str,
            status: nullable('integer'),
            error: nullable('string'),
            key: { enum: ['valid', 'other_platform', 'unknown'] },
            notTested: { type: 'array', items: str },
          }),
        ),
        ...errors,
      },
    },
  },
}
