/**
 * An officer's approval in a process of its own, for the crash test: it approves one application
 * (the decision, the account and the notices commit together), tells the parent, and waits to be
 * killed with SIGKILL before any notification worker runs, as a power cut right after the commit
 * would. Configuration comes as JSON in ISSUANCE_TEST_APPROVAL.
 */
import { connect } from '../../platform/database.ts';
import { loadConfig } from '../../platform/config.ts';
import { systemClock } from '../../platform/clock.ts';
import { createLogger } from '../../platform/logger.ts';
import { parseKeyring, secretBox } from '../../platform/crypto.ts';
import { createServices } from '../../services.ts';

interface Config {
  databaseUrl: string;
  applicationId: string;
  approverId: string;
  version: number;
  keyring: string;
}

const config = JSON.parse(process.env.ISSUANCE_TEST_APPROVAL ?? '{}') as Config;
const database = connect(config.databaseUrl, { max: 2 });
const platform = {
  db: database.db,
  config: { ...loadConfig({}), workers: false },
  clock: systemClock,
  log: createLogger({ level: 'silent' }),
  secrets: secretBox(parseKeyring(config.keyring)),
};
const services = createServices(platform);
const approved = await services.issuance.decide(config.approverId, config.applicationId, {
  event: 'approve',
  expectedVersion: config.version,
});
process.send?.({ approved: approved.state, accountId: approved.accountId });
// Wait for the kill: no worker, no shutdown, nothing else happens in this process.
setInterval(() => undefined, 60_000);
