import { ScimError } from '../../src/scim/errors.js'

/** The ScimError that `fn` throws; fails the test when it throws nothing or something else. */
export function scimError(fn: () => unknown): ScimError {
  try {
    fn()
  } catch (e) {
    if (e instanceof ScimError) return e
    throw e
  }
  throw new Error('expected a ScimError')
}
