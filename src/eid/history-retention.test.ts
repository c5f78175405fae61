import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, silentLogger, testPlatform, useTestDatabase } from '../../test/database.ts';
import type { Holder } from './service.ts';
import { adultWithCard, eidKit } from './testing.ts';
import { startEidWorker } from './worker.ts';

/**
 * The usage history (DOMAIN.md §§6, 9): every presentation is recorded with the names of the
 * claims released and its online verifications, shown to the holder, kept 5 years and then deleted
 * by the retention job.
 */
const t = useTestDatabase();
const clock = fixedClock('2021-11-20T02:00:00Z');
let kit: Awaited<ReturnType<typeof eidKit>>;
let holder: Holder;
let firstCredential = '';

beforeAll(async () => {
  kit = await eidKit(testPlatform(t.db, { clock }), t.database.pool);
  const [citizen] = await kit.citizens(adultWithCard('2026-11-30'));
  ({ holder } = await kit.holderFor(citizen!));
});

async function history() {
  return kit.eid.history(holder, await kit.open(holder));
}

describe('usage history', () => {
  test('records each presentation and its verifications, without claim values', async () => {
    const proof = await kit.open(holder);
    const full = await kit.eid.present(holder, proof, {});
    firstCredential = full.credential;
    const age = await kit.eid.present(holder, proof, { purpose: 'age_over_18', audience: 'Quán karaoke Hoa Sen' });
    await kit.eid.verifyOnline(age.credential, { name: 'Quán karaoke Hoa Sen', ip: '203.0.113.9' });
    clock.advance(1000);
    await kit.eid.verifyOnline(age.credential, { name: 'Quán karaoke Hoa Sen', ip: '203.0.113.9' });

    const entries = await history();
    expect(entries.map((e) => e.jti)).toEqual(expect.arrayContaining([full.jti, age.jti]));
    const ageEntry = entries.find((e) => e.jti === age.jti)!;
    expect(ageEntry).toMatchObject({
      purpose: 'age_over_18',
      audience: 'Quán karaoke Hoa Sen',
      claims: ['age_over_18'],
      verifier: 'Quán karaoke Hoa Sen',
      verificationStatus: 'active',
      verifications: 2,
      verifiedAt: clock.now(),
    });
    const fullEntry = entries.find((e) => e.jti === full.jti)!;
    expect(fullEntry).toMatchObject({ verifiedAt: null, verifier: null, verifications: 0 });
    expect(fullEntry.claims).toEqual(expect.arrayContaining(['pin', 'full_name', 'date_of_birth']));
    // Only names are stored: no value of the card in the row.
    const raw = JSON.stringify(await t.db.selectFrom('eid.presentations').selectAll().execute());
    const card = await kit.eid.card(holder, await kit.open(holder));
    expect(raw).not.toContain(card.pin);
    expect(raw).not.toContain(card.fullName);
    // And in the tamper-evident ledger too.
    const audited = await kit.audit.historyOf({ kind: 'account', id: holder.accountId }, 50);
    expect(audited.map((e) => e.action)).toEqual(
      expect.arrayContaining(['eid.presentation.created', 'eid.presentation.verified']),
    );
  });

  test('is kept 5 years, then deleted by the retention job', async () => {
    const before = (await history()).length;
    expect(before).toBeGreaterThanOrEqual(2);
    // Four years and 364 days later: nothing is old enough.
    clock.set('2026-11-19T02:00:00Z');
    const recent = await kit.eid.present(holder, await kit.open(holder), {});
    expect(await kit.eid.purgeHistory()).toBe(0);
    // Five years and a day after the first ones: they go, the recent one stays.
    clock.set('2026-11-21T02:00:00Z');
    const worker = startEidWorker(kit.eid, { log: silentLogger() });
    await worker.runOnce();
    await worker.stop();
    expect((await history()).map((e) => e.jti)).toEqual([recent.jti]);
    expect(await kit.eid.purgeHistory()).toBe(0);
    // A credential whose history is gone is nothing any more.
    expect(await kit.eid.verifyOnline(firstCredential, {})).toEqual({ valid: false, status: 'invalid' });
  });
});
