// Effective project roles live in src/domain/roles.ts, one rule for the console and the SETs.
export { effectiveRole, everyProjectRole } from '../domain/roles.js'
