import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import { seedSandbox } from '../registries/seed.ts';
import { issuanceKit, pickCitizens, type IssuanceKit } from './testing.ts';

/**
 * Threat: two approvers of a unit open the same received dossier and press "approve" at the same
 * moment. Without serialisation both transitions could pass their checks and the approval's effect
 * (creating the account) could run twice, or the history record two decisions. The engine locks
 * the row and checks the version: exactly one decision wins, the other gets CONFLICT (409).
 */

const t = useTestDatabase();
const TODAY = '2026-11-26';
const clock = fixedClock(`${TODAY}T03:00:00Z`);
const taken = new Set<string>();
let kit: IssuanceKit;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'issuance' });
  kit = await issuanceKit(testPlatform(t.db, { clock }), clock);
});

async function receivedApplication(unitCode: string) {
  const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', ownPhone: true, on: TODAY, taken });
  const receiver = await kit.officer(unitCode, 'RECEIVER');
  const { application } = await kit.services.issuance.receiveCitizen(receiver, kit.units[unitCode]!, {
    pin: c!.pin,
    phone: c!.phone,
    face: kit.face(c!.registryId),
    fingerprints: kit.fingerprints(c!.registryId),
  });
  expect(application.state).toBe('received');
  return { application, citizen: c! };
}

describe('two approvers decide the same application at once', () => {
  test.each([1, 2, 3, 4, 5])('round %i: one approval, one CONFLICT, one account, one approval event', async () => {
    const { application, citizen } = await receivedApplication('CAP-HNI-HOANKIEM');
    const first = await kit.officer('CAP-HNI-HOANKIEM', 'APPROVER');
    const second = await kit.officer('PC06-HNI', 'APPROVER');
    const results = await Promise.allSettled(
      [first, second].map((officer) =>
        kit.services.issuance.decide(officer, application.id, {
          event: 'approve',
          expectedVersion: application.version,
        }),
      ),
    );
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(Problem);
    expect(rejected[0]!.reason).toMatchObject({ code: 'CONFLICT', status: 409 });

    const stored = (await kit.services.issuance.get(application.id))!;
    expect(stored).toMatchObject({ state: 'approved', version: application.version + 1 });
    const accounts = await t.db
      .selectFrom('identity.accounts')
      .select(['id', 'level', 'status'])
      .where('subject_kind', '=', 'citizen')
      .where('registry_id', '=', citizen.registryId)
      .execute();
    expect(accounts).toEqual([{ id: stored.accountId, level: 2, status: 'pending_activation' }]);
    const events = (await kit.services.issuance.history(application.id)).filter((e) => e.event === 'approve');
    expect(events).toHaveLength(1);
    expect(`officer:${events[0]!.actor_id}`).toBe(stored.decidedBy);
    const audit = await t.db
      .selectFrom('audit.entries')
      .select('action')
      .where('subject_kind', '=', 'application')
      .where('subject_id', '=', application.id)
      .where('action', '=', 'issuance.application.approve')
      .execute();
    expect(audit).toHaveLength(1);
    const approvedNotices = await t.db
      .selectFrom('notify.outbox')
      .select('id')
      .where('template', '=', 'application_approved')
      .where('account_id', '=', stored.accountId)
      .execute();
    expect(approvedNotices.length).toBeGreaterThan(0);
  });

  test('approve and reject at once: one decision stands, with its own effect only', async () => {
    const { application, citizen } = await receivedApplication('CAP-HCM-BENTHANH');
    const a = await kit.officer('CAP-HCM-BENTHANH', 'APPROVER');
    const b = await kit.officer('CAP-HCM-BENTHANH', 'APPROVER');
    const results = await Promise.allSettled([
      kit.services.issuance.decide(a, application.id, { event: 'approve', expectedVersion: application.version }),
      kit.services.issuance.decide(b, application.id, {
        event: 'reject',
        expectedVersion: application.version,
        reasons: [{ code: 'officer_decision' }],
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
    const stored = (await kit.services.issuance.get(application.id))!;
    const account = await kit.services.identity.findBySubject('citizen', citizen.registryId);
    if (stored.state === 'approved') {
      expect(account?.id).toBe(stored.accountId);
    } else {
      expect(stored).toMatchObject({ state: 'rejected', accountId: null });
      expect(account).toBeUndefined();
    }
    const decisions = (await kit.services.issuance.history(application.id)).filter((e) => e.event !== 'submit');
    expect(decisions).toHaveLength(1);
  });
});
