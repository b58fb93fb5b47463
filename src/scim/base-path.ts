// Where the SCIM API lives (ENTRA.md: the Tenant URL admins paste into Entra and Okta is the public
// origin followed by this path). Fixed: a change would break every configured provisioning job.
export const SCIM_BASE = '/api/v1/scim/v2'
