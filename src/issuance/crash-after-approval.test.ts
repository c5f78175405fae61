/**
 * Crash safety of a decision: the process that approves an application is killed (SIGKILL) right
 * after its transaction commits and before any notice is delivered. The decision, the account and
 * the notices were written in one transaction (the outbox), so after a restart a notification
 * worker delivers each notice exactly once: nothing lost, nothing twice.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { SmppSmsChannel } from '../notify/channels/smpp.ts';
import { SmtpEmailChannel } from '../notify/channels/smtp.ts';
import { TestMailServer } from '../notify/testing/mail-server.ts';
import { TestSmsc } from '../notify/testing/smsc.ts';
import { createNotifyWorker } from '../notify/worker.ts';
import { seedSandbox } from '../registries/seed.ts';
import { issuanceKit, pickCitizens, type IssuanceKit } from './testing.ts';

const t = useTestDatabase();
const clock = fixedClock(new Date());
let kit: IssuanceKit;
const smsc = new TestSmsc({ systemId: 'dinhdanh', password: 'secret' });
const mail = new TestMailServer();

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'issuance-crash' });
  kit = await issuanceKit(testPlatform(t.db, { clock }), clock);
  await smsc.start();
  await mail.start();
});

afterAll(async () => {
  await smsc.stop();
  await mail.stop();
});

const APPROVER = fileURLToPath(new URL('./testing-process/approve.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the approval in a child process and kills it once it reports the commit. */
function approveThenDie(config: Record<string, unknown>): Promise<{ approved: string; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = fork(APPROVER, [], {
      execArgv: ['--import', 'tsx'],
      cwd: REPO_ROOT,
      env: { ...process.env, ISSUANCE_TEST_APPROVAL: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let approved = '';
    child.once('message', (message: { approved: string }) => {
      approved = message.approved;
      child.kill('SIGKILL');
    });
    child.once('exit', (_code, signal) =>
      approved ? resolve({ approved, signal }) : reject(new Error('no approval')),
    );
  });
}

test('killed between the approval and the delivery of its notices: after restart each notice goes out once', async () => {
  const [c] = await pickCitizens(t.db, {
    count: 1,
    minAge: 20,
    card: 'valid',
    ownPhone: true,
    on: '2026-11-26',
    taken: new Set(),
  });
  const receiver = await kit.officer('CAP-HNI-HOANKIEM', 'RECEIVER');
  const approver = await kit.officer('CAP-HNI-HOANKIEM', 'APPROVER');
  const { application } = await kit.services.issuance.receiveCitizen(receiver, kit.units['CAP-HNI-HOANKIEM']!, {
    pin: c!.pin,
    phone: c!.phone,
    email: 'cong.dan@example.vn',
    face: kit.face(c!.registryId),
    fingerprints: kit.fingerprints(c!.registryId),
  });
  expect(application.state).toBe('received');

  const killed = await approveThenDie({
    databaseUrl: t.url,
    applicationId: application.id,
    approverId: approver,
    version: application.version,
    keyring: `test:${Buffer.alloc(32, 7).toString('base64')}`,
  });
  expect(killed).toEqual({ approved: 'approved', signal: 'SIGKILL' });

  // The decision survived the crash, with its account.
  const after = await kit.services.issuance.get(application.id);
  expect(after).toMatchObject({ state: 'approved' });
  expect((await kit.services.identity.get(after!.accountId!))?.status).toBe('pending_activation');

  // "Restart": a fresh worker delivers what the dead process committed, then finds nothing more.
  const sms = new SmppSmsChannel({ url: smsc.url, systemId: 'dinhdanh', password: 'secret', sourceAddr: 'DINHDANH' });
  const email = new SmtpEmailChannel({ transport: mail.url, from: 'no-reply@dinhdanh.test' });
  // The real clock: the child committed its notices at the real time.
  const worker = createNotifyWorker({ db: t.db, channels: { sms, email } });
  try {
    while ((await worker.runOnce()) > 0);
    expect(await worker.runOnce()).toBe(0);
  } finally {
    await worker.stop();
    await sms.close();
    await email.close();
  }
  // Every notice of the application left the outbox (a message waiting on a retry would show here).
  const outbox = await t.db
    .selectFrom('notify.outbox')
    .select(['channel', 'template', 'status'])
    .where('channel', '<>', 'inbox')
    .execute();
  expect(outbox.filter((m) => m.status !== 'sent')).toEqual([]);
  const phone = `84${c!.phone!.slice(1)}`;
  const approvals = smsc.messages().filter((m) => m.destination === phone && m.text.includes(application.number));
  // One receipt notice (received) and one approval notice: each exactly once.
  expect(approvals.filter((m) => m.text.includes('phê duyệt'))).toHaveLength(1);
  expect(approvals.filter((m) => m.text.includes('tiếp nhận'))).toHaveLength(1);
  const mails = mail.received.filter((m) => m.to.includes('cong.dan@example.vn'));
  expect(mails.filter((m) => m.subject.includes('phê duyệt'))).toHaveLength(1);
});
