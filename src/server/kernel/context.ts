import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import type { Db } from '../db/database.ts'
import type { Clock } from './clock.ts'
import type { SecretBox } from './crypto.ts'
import type { Mailer } from './mailer.ts'

/**
 * What the server hands to services. Each service function declares the part it uses with
 * `Pick<Ctx, ...>`, so dependencies stay visible and tests pass only those.
 */
export interface Ctx {
  config: Readonly<Config>
  db: Db
  clock: Clock
  box: SecretBox
  mailer: Mailer | undefined
  logger: Logger
}
