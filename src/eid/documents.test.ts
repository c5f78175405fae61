import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import { daysFromIso, vietnamDate } from '../registries/dates.ts';
import type { Citizen } from '../registries/model.ts';
import { sandboxLicenceOf } from '../registries/sandbox/documents.ts';
import type { Holder } from './service.ts';
import { adultWithCard, eidKit } from './testing.ts';

/**
 * Documents integrated into the card at the holder's request (Decree 69/2024 Art 15): the
 * registry is checked first (a document it does not have is a 404 with the reason), only the
 * reference and the snapshot date are stored, and the list shows each one as its registry has it now.
 */
const t = useTestDatabase();
const clock = fixedClock('2026-11-26T03:00:00Z');
const today = vietnamDate(clock.now());
let kit: Awaited<ReturnType<typeof eidKit>>;
let driver: { holder: Holder; citizen: Citizen };
let walker: { holder: Holder; citizen: Citizen };

async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  return promise.then(
    () => {
      throw new Error('expected a problem');
    },
    (e: unknown) => {
      if (e instanceof Problem) return e;
      throw e;
    },
  );
}

beforeAll(async () => {
  kit = await eidKit(testPlatform(t.db, { clock }), t.database.pool);
  const adult = adultWithCard(today);
  const licensed = (c: Citizen) => sandboxLicenceOf(c, daysFromIso(today)) !== null;
  const [withLicence] = await kit.citizens((c) => adult(c) && licensed(c));
  const [withoutLicence] = await kit.citizens((c) => adult(c) && !licensed(c));
  driver = { holder: (await kit.holderFor(withLicence!)).holder, citizen: withLicence! };
  walker = { holder: (await kit.holderFor(withoutLicence!)).holder, citizen: withoutLicence! };
});

describe('integrated documents', () => {
  test('a licence in the registry is integrated, listed as the registry has it, and removed', async () => {
    const proof = await kit.open(driver.holder);
    const first = await kit.eid.integrateDocument(driver.holder, proof, 'driving_licence');
    expect(first.created).toBe(true);
    expect(first.document).toMatchObject({
      kind: 'driving_licence',
      snapshotOn: today,
      current: { kind: 'driving_licence' },
    });
    const licence = await kit.registries.drivingLicences.findByPin(driver.citizen.pin);
    expect(first.document.reference).toBe(licence!.number);
    // Asking again refreshes the snapshot; still one.
    clock.advance(86_400_000);
    const again = await kit.eid.integrateDocument(driver.holder, await kit.open(driver.holder), 'driving_licence');
    expect(again.created).toBe(false);
    expect(again.document.snapshotOn).toBe(vietnamDate(clock.now()));

    await kit.eid.integrateDocument(driver.holder, await kit.open(driver.holder), 'health_insurance');
    const listed = await kit.eid.documents(driver.holder, await kit.open(driver.holder));
    expect(listed.map((d) => d.kind)).toEqual(['driving_licence', 'health_insurance']);
    expect(listed[0]!.current).toEqual({ kind: 'driving_licence', licence });
    // Only the reference and the date are stored, never the document itself.
    const rows = await t.db
      .selectFrom('eid.documents')
      .selectAll()
      .where('account_id', '=', driver.holder.accountId)
      .execute();
    expect(Object.keys(rows[0]!).sort()).toEqual([
      'account_id',
      'integrated_at',
      'kind',
      'reference',
      'snapshot_on',
      'updated_at',
    ]);

    const proof2 = await kit.open(driver.holder);
    await kit.eid.removeDocument(driver.holder, proof2, 'driving_licence');
    expect((await kit.eid.documents(driver.holder, proof2)).map((d) => d.kind)).toEqual(['health_insurance']);
    const twice = await problemOf(kit.eid.removeDocument(driver.holder, proof2, 'driving_licence'));
    expect(twice).toMatchObject({ code: 'EID_DOCUMENT_NOT_INTEGRATED', status: 404 });
    const actions = (await kit.audit.historyOf({ kind: 'account', id: driver.holder.accountId }, 50)).map(
      (e) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining(['eid.document.integrated', 'eid.document.refreshed', 'eid.document.removed']),
    );
  });

  test('a document the registry does not have is a 404 that says so, and nothing is stored', async () => {
    const problem = await problemOf(
      kit.eid.integrateDocument(walker.holder, await kit.open(walker.holder), 'driving_licence'),
    );
    expect(problem).toMatchObject({ code: 'EID_DOCUMENT_NOT_IN_REGISTRY', status: 404, field: 'kind' });
    expect(problem.messageIn('vi')).toContain('giấy phép lái xe');
    expect(problem.messageIn('en')).toContain('driving licence');
    expect(await kit.eid.documents(walker.holder, await kit.open(walker.holder))).toEqual([]);
  });

  test('documents need the passcode proof like the card', async () => {
    expect(await problemOf(kit.eid.integrateDocument(walker.holder, undefined, 'health_insurance'))).toMatchObject({
      code: 'EID_PASSCODE_REQUIRED',
    });
    // Another holder's proof does not open this one's card.
    const others = await kit.open(driver.holder);
    expect(await problemOf(kit.eid.documents(walker.holder, others))).toMatchObject({ code: 'EID_PROOF_INVALID' });
  });
});
