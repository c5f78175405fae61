/**
 * A notification worker in a process of its own, for crash tests: the test starts it with
 * child_process.fork, lets it claim a message, and kills it with SIGKILL in the middle of the
 * send, as a power cut or an OOM kill would. Configuration comes as JSON in NOTIFY_TEST_WORKER.
 */
import { connect } from '../../platform/database.ts';
import { createNotifyWorker } from '../worker.ts';
import { SmtpEmailChannel } from '../channels/smtp.ts';
import { SmppSmsChannel } from '../channels/smpp.ts';
import type { Channel, ExternalChannelName } from '../channels/channel.ts';

export interface TestWorkerConfig {
  databaseUrl: string;
  smtpUrl?: string;
  smppUrl?: string;
  batchSize: number;
  workerId: string;
}

const config = JSON.parse(process.env.NOTIFY_TEST_WORKER ?? '{}') as TestWorkerConfig;
const database = connect(config.databaseUrl, { max: 2 });
const channels: Partial<Record<ExternalChannelName, Channel>> = {};
if (config.smtpUrl)
  channels.email = new SmtpEmailChannel({ transport: config.smtpUrl, from: 'no-reply@dinhdanh.test' });
if (config.smppUrl) {
  channels.sms = new SmppSmsChannel({
    url: config.smppUrl,
    systemId: 'dinhdanh',
    password: 'secret',
    sourceAddr: 'DINHDANH',
  });
}
const worker = createNotifyWorker({
  db: database.db,
  channels,
  batchSize: config.batchSize,
  workerId: config.workerId,
});
const claimed = await worker.runOnce();
// Only reached when nobody killed us.
process.send?.({ finished: claimed });
await Promise.all(Object.values(channels).map((c) => c?.close()));
await database.close();
