// What every console route module is registered with (see index.ts).
import type { Config } from '../../config.js'
import type { SecretBox } from '../../crypto/secret-box.js'
import type { Store } from '../../store/database.js'

export interface AdminOptions {
  readonly store: Store
  readonly config: Config
  readonly box: SecretBox
}
