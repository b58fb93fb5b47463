// One error type for the whole SCIM protocol, rendered once at the HTTP edge as an
// RFC 7644 error response (https://www.rfc-editor.org/rfc/rfc7644#section-3.12).

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'

export class ScimError extends Error {
  readonly status: number
  readonly scimType: ScimType | undefined

  constructor(status: number, detail: string, scimType?: ScimType) {
    super(detail)
    this.name = 'ScimError'
    this.status = status
    this.scimType = scimType
  }

  toJSON(): ScimErrorBody {
    return toErrorBody(this.status, this.message, this.scimType)
  }
}

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA]
  status: string
  scimType?: ScimType
  detail: string
}

export function toErrorBody(status: number, detail: string, scimType?: ScimType): ScimErrorBody {
  return scimType
    ? { schemas: [ERROR_SCHEMA], status: String(status), scimType, detail }
    : { schemas: [ERROR_SCHEMA], status: String(status), detail }
}

export const invalidFilter = (detail: string) => new ScimError(400, detail, 'invalidFilter')
export const invalidSyntax = (detail: string) => new ScimError(400, detail, 'invalidSyntax')
export const invalidValue = (detail: string) => new ScimError(400, detail, 'invalidValue')
export const invalidPath = (detail: string) => new ScimError(400, detail, 'invalidPath')
export const noTarget = (detail: string) => new ScimError(400, detail, 'noTarget')
export const mutability = (detail: string) => new ScimError(400, detail, 'mutability')
export const tooMany = (detail: string) => new ScimError(400, detail, 'tooMany')
export const uniqueness = (detail: string) => new ScimError(409, detail, 'uniqueness')
export const notFound = (detail: string) => new ScimError(404, detail)
export const unauthorized = (detail = 'A valid bearer token is required.') => new ScimError(401, detail)
export const preconditionFailed = (detail: string) => new ScimError(412, detail)
export const notImplemented = (detail: string) => new ScimError(501, detail)
export const payloadTooLarge = (detail: string) => new ScimError(413, detail)
export const tooManyRequests = (detail: string) => new ScimError(429, detail)
