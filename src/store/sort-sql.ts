// sortBy (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.3) → an order expression, through the
// same attribute allow-list as filters. Strings with caseExact false order by their fold (store/fold.ts);
// a multi-valued attribute orders by its primary value, else its first one. Missing values are NULL:
// pair the expression with `nulls last` in ascending order if they must come last on both dialects.
import type { Expression } from 'kysely'
import { invalidValue } from '../scim/errors.js'
import { findAttribute } from '../scim/schemas/index.js'
import type { ResourceTypeName } from '../scim/schemas/types.js'
import type { Dialect } from './database.js'
import { type Fail, rootScope, type Scalar, valueSubAttribute } from './filter-targets.js'
import { fold } from './fold.js'

/** `db.selectFrom('users').orderBy(userSort(sortBy, dialect), 'asc')` */
export function userSort(sortBy: string, dialect: Dialect): Expression<unknown> {
  return sortExpression('User', sortBy, dialect)
}

/** `db.selectFrom('projects').orderBy(groupSort(sortBy, dialect), 'asc')` */
export function groupSort(sortBy: string, dialect: Dialect): Expression<unknown> {
  return sortExpression('Group', sortBy, dialect)
}

function sortExpression(type: ResourceTypeName, sortBy: string, dialect: Dialect): Expression<unknown> {
  const fail: Fail = (detail) => invalidValue(`Cannot sort by "${sortBy}": ${detail}`)
  const target = rootScope(type, dialect, fail).resolve(sortBy.trim())
  switch (target.kind) {
    case 'scalar':
      return orderValue(target.scalar)
    case 'object':
      return orderValue(target.field(valueSubAttribute(target.def, sortBy, fail)))
    case 'elements': {
      const { elements } = target
      if (!elements.first) throw fail('memberships have no order')
      const sub = target.sub ?? valueSubAttribute(elements.def, sortBy, fail)
      const primary = findAttribute(elements.def.subAttributes, 'primary')
      return elements.first(
        orderValue(elements.field(sub)),
        primary && elements.field(primary).isBoolean?.(true),
      )
    }
  }
}

function orderValue(s: Scalar) {
  if (s.number && (s.def.type === 'integer' || s.def.type === 'decimal')) return s.number
  return s.def.caseExact || s.key || s.def.type !== 'string' ? s.value : fold(s.value)
}
