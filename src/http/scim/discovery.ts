// Discovery endpoints (rfc7644#section-4): what this server supports, told truthfully.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.js'
import { methodNotAllowed } from './errors.js'
import { baseUrl } from './request.js'

export async function discoveryRoutes(app: FastifyInstance, { config }: { config: Config }): Promise<void> {
  app.get('/ServiceProviderConfig', async (request) =>
    serviceProviderConfig(config, baseUrl(request, config)),
  )
  methodNotAllowed(app, '/ServiceProviderConfig', ['GET'])
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
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${base}/ServiceProviderConfig`,
    },
  }
}
