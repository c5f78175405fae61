import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { ctx } from '../auth/testing.ts';
import { Problem } from '../platform/errors.ts';
import { vietnamDate } from '../registries/dates.ts';
import type { Citizen } from '../registries/model.ts';
import { createSandboxRegistries } from '../registries/sandbox/index.ts';
import type { Holder } from './service.ts';
import { adultWithCard, eidKit, TEST_PASSCODE } from './testing.ts';

/**
 * The card is built from the Identity DB at every view, never from a copy (Law on Identification
 * Art 31.2): a held card shows `locked` at once and cannot be presented, a re-issued PIN shows at
 * the next view, death revokes it. Only level-2 citizens have one.
 */
const t = useTestDatabase();
const clock = fixedClock('2026-11-26T03:00:00Z');
const today = vietnamDate(clock.now());
let kit: Awaited<ReturnType<typeof eidKit>>;
let holder: Holder;
let citizen: Citizen;

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
  [citizen] = (await kit.citizens(adultWithCard(today))) as [Citizen];
  ({ holder } = await kit.holderFor(citizen));
});

describe('the card, read from the Identity DB at every view', () => {
  test('shows the data the law lists, with the account level and status', async () => {
    const { card, proof, expiresAt } = await kit.eid.unlock(holder, TEST_PASSCODE, ctx());
    expect(expiresAt.getTime() - clock.now().getTime()).toBe(300_000);
    expect(card).toEqual({
      pin: citizen.pin,
      fullName: citizen.fullName,
      familyName: citizen.familyName,
      middleName: citizen.middleName,
      givenName: citizen.givenName,
      dateOfBirth: citizen.dateOfBirth,
      sex: citizen.sex,
      nationality: 'VNM',
      placeOfBirthRegistration: citizen.birthRegistration,
      residence: citizen.residence.full,
      idCard: {
        number: citizen.idCard!.number,
        issuedOn: citizen.idCard!.issuedOn,
        expiresOn: citizen.idCard!.expiresOn,
      },
      level: 2,
      status: 'active',
      readAt: clock.now(),
    });
    expect(await kit.eid.card(holder, proof)).toEqual(card);
  });

  test('a held ID card locks it at once (Art 34.1(c)); it cannot be presented until the card is returned', async () => {
    const control = createSandboxRegistries(t.db).control;
    await control.holdCard(citizen.pin, today);
    const proof = await kit.open(holder);
    expect((await kit.eid.card(holder, proof)).status).toBe('locked');
    const refused = await problemOf(kit.eid.present(holder, proof, {}));
    expect(refused).toMatchObject({ code: 'EID_NOT_ACTIVE', status: 403 });
    expect(refused.messageIn('vi')).toBe('Căn cước điện tử đang bị khóa, không thể xuất trình.');
    await control.returnCard(citizen.pin, today);
    expect((await kit.eid.card(holder, proof)).status).toBe('active');
    await expect(kit.eid.present(holder, proof, {})).resolves.toMatchObject({ purpose: 'full' });
  });

  test('a re-issued PIN shows at the next view (Decree 70/2024 Art 11.7)', async () => {
    const control = createSandboxRegistries(t.db).control;
    const { newPin } = await control.reissuePin(citizen.pin, today);
    const card = await kit.eid.card(holder, await kit.open(holder));
    expect(card.pin).toBe(newPin);
    expect(card.idCard?.number).toBe(newPin);
    citizen = { ...citizen, pin: newPin };
  });

  test('level-1 and non-citizen accounts are told that level 2 is needed, before any passcode is spent', async () => {
    const [other] = await kit.citizens(adultWithCard(today));
    const { holder: level1 } = await kit.holderFor(other!, 1);
    const refused = await problemOf(kit.eid.unlock(level1, '000000', ctx()));
    expect(refused).toMatchObject({ code: 'EID_LEVEL2_REQUIRED', status: 403 });
    expect(refused.messageIn('en')).toMatch(/level-2 .* upgrade to level 2/);
    const attempts = await kit.audit.historyOf({ kind: 'account', id: level1.accountId }, 20);
    expect(attempts.map((e) => e.action)).not.toContain('auth.passcode.failure');
    expect(await problemOf(kit.eid.card(level1, undefined))).toMatchObject({ code: 'EID_LEVEL2_REQUIRED' });

    const foreigner = await kit.identity.createAccount(t.db, {
      subjectKind: 'foreigner',
      registryId: 'f-eid-1',
      passport: { country: 'KOR', number: 'M99887766' },
      fullName: 'PARK JI SUNG',
      level: 2,
      status: 'active',
    });
    const alien = { accountId: foreigner.id, clientId: 'citizen-app' };
    expect(await problemOf(kit.eid.unlock(alien, '000000', ctx()))).toMatchObject({
      code: 'EID_CITIZENS_ONLY',
      status: 403,
    });
  });

  test('death revokes the card for good', async () => {
    const proof = await kit.open(holder);
    await createSandboxRegistries(t.db).control.recordDeath(citizen.pin, today);
    expect((await kit.eid.card(holder, proof)).status).toBe('revoked');
    expect(await problemOf(kit.eid.present(holder, proof, {}))).toMatchObject({ code: 'EID_NOT_ACTIVE' });
  });
});
