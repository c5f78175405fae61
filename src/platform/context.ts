import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Db } from './database.ts';
import type { Logger } from './logger.ts';
import type { SecretBox } from './crypto.ts';

/**
 * What every context's service and routes receive: the database, the clock, the logger, the
 * configuration and the secret box. Contexts build their services from it; nothing here is global.
 */
export interface Platform {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  /** Seals and opens secrets stored in the database (see crypto.ts). */
  secrets: SecretBox;
}
