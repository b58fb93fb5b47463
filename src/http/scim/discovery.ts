// Discovery endpoints (rfc7644#section-4): what this server supports, told truthfully, from the registry.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { EVENT_URIS } from '../../events/uris.js'
import { notFound } from '../../scim/errors.js'
import { listResponse } from '../../scim/list.js'
import { findSchema, resourceTypes, schemas } from '../../scim/schemas/index.js'
import type { ResourceTypeDef, SchemaDef } from '../../scim/schemas/types.js'
import { methodNotAllowed } from './errors.js'
import { baseUrl } from './request.js'

const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema'
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType'

export async function discoveryRoutes(app: FastifyInstance, { config }: { config: Config }): Promise<void> {
  const base = (request: FastifyRequest) => baseUrl(request, config)

  app.get('/ServiceProviderConfig', async (request) => serviceProviderConfig(config, base(request)))

  app.get('/Schemas', async (request) => {
    const all = schemas.map((s) => schemaResource(s, base(request)))
    return listResponse(all, all.length, 1)
  })
  app.get<{ Params: { id: string } }>('/Schemas/:id', async (request) => {
    const schema = findSchema(request.params.id)
    if (!schema) throw notFound(`Schema ${request.params.id} not found.`)
    return schemaResource(schema, base(request))
  })

  app.get('/ResourceTypes', async (request) => {
    const all = resourceTypes.map((r) => resourceTypeResource(r, base(request)))
    return listResponse(all, all.length, 1)
  })
  app.get<{ Params: { id: string } }>('/ResourceTypes/:id', async (request) => {
    const wanted = request.params.id.toLowerCase()
    const type = resourceTypes.find((r) => r.id.toLowerCase() === wanted)
    if (!type) throw notFound(`ResourceType ${request.params.id} not found.`)
    return resourceTypeResource(type, base(request))
  })

  for (const url of [
    '/ServiceProviderConfig',
    '/Schemas',
    '/Schemas/:id',
    '/ResourceTypes',
    '/ResourceTypes/:id',
  ]) {
    methodNotAllowed(app, url, ['GET'])
  }
}

export function serviceProviderConfig(config: Config, base: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/muster-scim/muster#readme',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: config.SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'A platform API key sent as "Authorization: Bearer <key>".',
        primary: true,
      },
    ],
    // rfc9967#section-4: the SET event URIs Muster can deliver through a stream (push or poll); it
    // has no asynchronous SCIM requests.
    securityEvents: { asyncRequest: 'none', eventUris: EVENT_URIS },
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  }
}

function schemaResource(schema: SchemaDef, base: string) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${schema.id}` },
  }
}

function resourceTypeResource(type: ResourceTypeDef, base: string) {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: type.id,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema,
    schemaExtensions: type.schemaExtensions,
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${type.id}` },
  }
}
