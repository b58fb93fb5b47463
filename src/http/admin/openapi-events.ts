// The event-stream part of the admin API description (merged into openapi.ts), plus the two public
// routes beside it: the JWKS and the RFC 8936 poll endpoint (bearer: a platform API key).
const json = (schema: object) => ({ content: { 'application/json': { schema } } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const ok = (schema: object, description = 'OK') => ({ description, ...json(schema) })
const str = { type: 'string' }
const nullable = (type: string) => ({ type: [type, 'null'] })
const obj = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
})
const id = { name: 'id', in: 'path', required: true, schema: str }
const errors = {
  '400': { description: 'Invalid input', ...json(ref('InputError')) },
  '401': { description: 'Not signed in', ...json(ref('Error')) },
  '404': { description: 'Not found', ...json(ref('Error')) },
}
const setError = obj({ err: str, description: str })

export const eventSchemas = {
  EventStream: obj(
    {
      id: str,
      platformId: str,
      method: { enum: ['push', 'poll'] },
      url: nullable('string'),
      pollUrl: str,
      audience: str,
      events: { type: ['array', 'null'], items: str, description: 'RFC 9967 event URIs; null: every event' },
      status: { enum: ['enabled', 'paused', 'failed'] },
      createdAt: str,
      backlog: { type: 'integer', description: 'SETs not yet delivered or acknowledged' },
      lagSeconds: { type: 'number', description: 'Age of the oldest of them' },
      lastError: nullable('string'),
      failingSince: nullable('string'),
      retryAt: nullable('string'),
      lastDeliveredAt: nullable('string'),
    },
    ['id', 'method', 'audience', 'status', 'backlog', 'lagSeconds'],
  ),
  Delivery: obj({
    id: { type: 'integer' },
    txn: str,
    createdAt: str,
    resourceType: str,
    resourceId: str,
    state: { enum: ['pending', 'delivered', 'refused'] },
    attempts: { type: 'integer' },
    lastAttemptAt: nullable('string'),
    lastStatus: nullable('integer'),
    lastError: nullable('string'),
    deliveredAt: nullable('string'),
  }),
}

export const eventPaths = {
  '/events/streams': {
    get: {
      summary: 'List event streams with state, backlog and lag',
      responses: {
        '200': ok(
          obj({
            streams: { type: 'array', items: ref('EventStream') },
            eventTypes: { type: 'array', items: str },
            jwksUrl: str,
          }),
        ),
        ...errors,
      },
    },
    post: {
      summary: 'Create a push (RFC 8935) or poll (RFC 8936) stream; push URLs pass the SSRF guard',
      requestBody: json(
        obj(
          {
            method: { enum: ['push', 'poll'] },
            url: { ...str, description: 'push only: https://, or a loopback/private URL where allowed' },
            events: {
              type: 'array',
              items: str,
              description: 'e.g. prov:create:full, prov:patch:notice, prov:delete',
            },
            audience: str,
          },
          ['method'],
        ),
      ),
      responses: { '201': ok(obj({ stream: ref('EventStream') }), 'Created'), ...errors },
    },
  },
  '/events/streams/{id}': {
    get: {
      summary: 'A stream and its latest deliveries with their outcome',
      parameters: [id],
      responses: {
        '200': ok(obj({ stream: ref('EventStream'), deliveries: { type: 'array', items: ref('Delivery') } })),
        ...errors,
      },
    },
    patch: {
      summary: 'Pause or resume (resuming a failed stream clears its failures)',
      parameters: [id],
      requestBody: json(obj({ status: { enum: ['enabled', 'paused'] } })),
      responses: { '200': ok(obj({ stream: ref('EventStream') })), ...errors },
    },
    delete: {
      summary: 'Delete the stream and the SETs it still owes',
      parameters: [id],
      responses: { '204': { description: 'Deleted' }, ...errors },
    },
  },
  '/events/streams/{id}/redeliver': {
    post: {
      summary: 'Deliver again every SET of the stream written at or after a time (same jti)',
      parameters: [id],
      requestBody: json(obj({ from: { ...str, format: 'date-time' } })),
      responses: { '200': ok(obj({ count: { type: 'integer' } })), ...errors },
    },
  },
  '/events/streams/{id}/test': {
    post: {
      summary: 'Send a test event (an SSF verification SET) through the stream',
      parameters: [id],
      responses: { '202': ok(obj({ id: { type: 'integer' } }), 'Queued'), ...errors },
    },
  },
  '/events/streams/{id}/poll': {
    post: {
      summary: 'RFC 8936 poll: acknowledge, report errors, fetch SETs (bearer: an API key of the platform)',
      security: [{ apiKey: [] }],
      parameters: [id],
      requestBody: json(
        obj(
          {
            ack: { type: 'array', items: str },
            setErrs: { type: 'object', additionalProperties: setError },
            maxEvents: { type: 'integer', minimum: 0, maximum: 10000, default: 100 },
            returnImmediately: { type: 'boolean', default: false },
          },
          [],
        ),
      ),
      responses: {
        '200': ok(
          obj({ sets: { type: 'object', additionalProperties: str }, moreAvailable: { type: 'boolean' } }),
        ),
        '400': { description: 'Invalid request', ...json(setError) },
        '401': { description: 'No valid API key', ...json(setError) },
        '403': { description: 'Not a stream of this key’s platform', ...json(setError) },
      },
    },
  },
}
