import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ageOn, daysFromIso } from './dates.ts';
import { DEMO_PERSONS } from './demo.ts';
import { emptyChunk, generateSandbox, SANDBOX_AS_OF, type SandboxChunk } from './generator.ts';
import { cardExpiry, cardStateOn, normalisePhone } from './model.ts';
import { validatePin } from './pin.ts';
import { BIRTH_PROVINCES, PROVINCES_2025 } from './provinces.ts';

function collect(options: Parameters<typeof generateSandbox>[0]): SandboxChunk & { chunks: number } {
  const all = emptyChunk();
  let chunks = 0;
  for (const chunk of generateSandbox(options)) {
    chunks++;
    for (const key of Object.keys(all) as (keyof SandboxChunk)[]) {
      (all[key] as unknown[]).push(...chunk[key]);
    }
  }
  return { ...all, chunks };
}

function digest(data: SandboxChunk): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(emptyChunk()) as (keyof SandboxChunk)[]) {
    hash.update(key);
    for (const row of data[key]) hash.update(JSON.stringify(row));
  }
  return hash.digest('hex');
}

const ASOF = daysFromIso(SANDBOX_AS_OF);
const N = 20_000;
let data: SandboxChunk & { chunks: number };
const age = (dob: string) => ageOn(daysFromIso(dob), ASOF);
const share = (part: number, whole: number) => part / whole;

/** The items that break a rule, described (first few): one assertion instead of one per row. */
function violations<T>(items: readonly T[], rule: (item: T) => string | null): string[] {
  const out: string[] = [];
  for (const item of items) {
    const broken = rule(item);
    if (broken !== null && out.push(broken) >= 5) break;
  }
  return out;
}

beforeAll(() => {
  data = collect({ citizens: N, seed: 'realism' });
});

describe('determinism', () => {
  it('gives the same rows for the same seed, whatever the chunk size', () => {
    const a = collect({ citizens: 3000, seed: 42, chunkSize: 500 });
    const b = collect({ citizens: 3000, seed: 42, chunkSize: 100_000 });
    expect(a.chunks).toBeGreaterThan(4);
    expect(b.chunks).toBe(1);
    expect(digest(a)).toBe(digest(b));
    expect(a.persons).toEqual(b.persons);
  });

  it('treats a numeric seed and its decimal string alike, and other seeds differently', () => {
    const a = digest(collect({ citizens: 500, seed: 7 }));
    expect(digest(collect({ citizens: 500, seed: '7' }))).toBe(a);
    expect(digest(collect({ citizens: 500, seed: 8 }))).not.toBe(a);
  });

  it('describes the population as of the given day', () => {
    const later = collect({ citizens: 500, seed: 7, asOf: '2030-06-01' });
    expect(digest(later)).not.toBe(digest(collect({ citizens: 500, seed: 7 })));
  });

  it('streams in chunks that each stay near the chunk size', () => {
    let chunks = 0;
    for (const chunk of generateSandbox({ citizens: 5000, seed: 1, chunkSize: 1000 })) {
      chunks++;
      // A chunk closes after the family that reaches the size; families are a few dozen at most.
      expect(chunk.persons.length).toBeLessThan(1000 + 100);
    }
    expect(chunks).toBeGreaterThanOrEqual(5);
  });

  it('refuses sizes it cannot honour', () => {
    expect(() => collect({ citizens: 5, seed: 1 })).toThrow(/at least 11 citizens/);
    expect(() => collect({ citizens: -1, seed: 1, demo: false })).toThrow(RangeError);
    expect(() => collect({ citizens: 20, seed: 1, asOf: '2015-12-31' })).toThrow(/2016/);
    expect(collect({ citizens: 5, seed: 1, demo: false }).persons).toHaveLength(5);
  });
});

describe('citizens', () => {
  it('has exactly the requested number, ids 1…N, unique PINs', () => {
    expect(data.persons).toHaveLength(N);
    expect(data.persons.map((p) => p.id)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    const pins = new Set([...data.persons.map((p) => p.pin), ...data.pinHistory.map((h) => h.old_pin)]);
    expect(pins.size).toBe(N + data.pinHistory.length);
  });

  it('has PINs consistent with date of birth, sex and province of birth registration', () => {
    const wrong = violations(data.persons, (p) => {
      const check = validatePin(p.pin, { dateOfBirth: p.date_of_birth, sex: p.sex }, { today: SANDBOX_AS_OF });
      if (!check.ok) return `${p.pin} ${p.date_of_birth} ${p.sex}: ${check.reason}`;
      return check.province.code === p.birth_province ? null : `${p.pin} born in ${p.birth_province}`;
    });
    expect(wrong).toEqual([]);
    expect(data.pinHistory.length).toBeGreaterThan(0);
    for (const h of data.pinHistory) {
      const p = data.persons[h.person_id - 1]!;
      expect(validatePin(h.old_pin, { dateOfBirth: p.date_of_birth, sex: p.sex }).ok).toBe(true);
    }
  });

  it('has Vietnamese names with diacritics, in NFC, built from their parts', () => {
    const families = new Map<string, number>();
    for (const p of data.persons) families.set(p.family_name, (families.get(p.family_name) ?? 0) + 1);
    const malformed = violations(data.persons, (p) =>
      p.full_name.normalize('NFC') === p.full_name &&
      p.full_name === [p.family_name, p.middle_name, p.given_name].filter(Boolean).join(' ')
        ? null
        : p.full_name,
    );
    expect(malformed).toEqual([]);
    const nguyen = share(families.get('Nguyễn') ?? 0, N);
    expect(nguyen).toBeGreaterThan(0.25);
    expect(nguyen).toBeLessThan(0.45);
    for (const name of ['Trần', 'Lê', 'Phạm', 'Đặng', 'Bùi', 'Đỗ', 'Ngô'])
      expect(families.get(name) ?? 0).toBeGreaterThan(50);
    // Hoàng/Huỳnh and Vũ/Võ: both spellings occur (north and south).
    for (const name of ['Hoàng', 'Huỳnh', 'Vũ', 'Võ']) expect(families.get(name) ?? 0).toBeGreaterThan(20);
    const women = data.persons.filter((p) => p.sex === 'female' && age(p.date_of_birth) >= 50);
    expect(share(women.filter((w) => w.middle_name.startsWith('Thị')).length, women.length)).toBeGreaterThan(0.4);
    const men = data.persons.filter((p) => p.sex === 'male');
    expect(men.some((m) => m.middle_name === 'Thị')).toBe(false);
  });

  it('spreads ages from newborns to the very old, with a plausible pyramid', () => {
    const living = data.persons.filter((p) => p.date_of_death === null).map((p) => age(p.date_of_birth));
    const band = (lo: number, hi: number) => share(living.filter((a) => a >= lo && a < hi).length, living.length);
    expect(Math.min(...living)).toBe(0);
    expect(Math.max(...living)).toBeGreaterThanOrEqual(90);
    expect(band(0, 6)).toBeGreaterThan(0.04);
    expect(band(6, 14)).toBeGreaterThan(0.06);
    expect(band(14, 18)).toBeGreaterThan(0.03);
    expect(band(18, 60)).toBeGreaterThan(0.5);
    expect(band(60, 200)).toBeGreaterThan(0.06);
    expect(band(60, 200)).toBeLessThan(0.25);
  });

  it('lives in the 34 post-2025 provinces and was born across the 63 former ones', () => {
    const provinces = new Set(data.persons.map((p) => p.residence_province));
    for (const p of provinces) expect(PROVINCES_2025).toContain(p);
    expect(provinces.size).toBe(34);
    expect(new Set(data.persons.map((p) => p.birth_province)).size).toBe(BIRTH_PROVINCES.length);
    expect(data.persons.every((p) => /^(Phường|Xã) /.test(p.residence_ward))).toBe(true);
  });

  it('records deaths, mostly of the old, after birth and before today', () => {
    const dead = data.persons.filter((p) => p.date_of_death !== null);
    expect(share(dead.length, N)).toBeGreaterThan(0.01);
    expect(share(dead.length, N)).toBeLessThan(0.06);
    expect(
      violations(dead, (p) =>
        p.date_of_death! > p.date_of_birth && p.date_of_death! < SANDBOX_AS_OF ? null : `${p.pin} ${p.date_of_death}`,
      ),
    ).toEqual([]);
    expect(share(dead.filter((p) => age(p.date_of_birth) >= 60).length, dead.length)).toBeGreaterThan(0.7);
  });
});

describe('families and guardians', () => {
  it('links children to parents who are older, the father giving the family name', () => {
    const byId = new Map(data.persons.map((p) => [p.id, p]));
    const parents = data.kinships.filter((k) => k.relation !== 'spouse');
    expect(parents.length).toBeGreaterThan(N / 2);
    const wrong = violations(parents, (k) => {
      const child = byId.get(k.person_id)!;
      const parent = byId.get(k.relative_id)!;
      const says = `${child.pin} → ${k.relation} ${parent.pin}`;
      if (parent.sex !== (k.relation === 'father' ? 'male' : 'female')) return `${says}: sex`;
      if (age(parent.date_of_birth) - age(child.date_of_birth) < 17) return `${says}: too young`;
      if (k.relation === 'father' && child.family_name !== parent.family_name) return `${says}: family name`;
      if (k.relation === 'mother' && parent.date_of_death !== null && parent.date_of_death < child.date_of_birth) {
        return `${says}: mother died before the birth`;
      }
      return null;
    });
    expect(wrong).toEqual([]);
  });

  it('has children of every age, adult children included', () => {
    const byId = new Map(data.persons.map((p) => [p.id, p]));
    const childAges = new Set(
      data.kinships.filter((k) => k.relation === 'mother').map((k) => age(byId.get(k.person_id)!.date_of_birth)),
    );
    for (let a = 0; a <= 60; a++) expect(childAges.has(a), `a child aged ${a}`).toBe(true);
  });

  it('records spouses both ways, between a man and a woman of marrying age', () => {
    const byId = new Map(data.persons.map((p) => [p.id, p]));
    const spouses = data.kinships.filter((k) => k.relation === 'spouse');
    const pairs = new Set(spouses.map((k) => `${k.person_id}-${k.relative_id}`));
    const wrong = violations(spouses, (k) =>
      pairs.has(`${k.relative_id}-${k.person_id}`) &&
      byId.get(k.person_id)!.sex !== byId.get(k.relative_id)!.sex &&
      age(byId.get(k.person_id)!.date_of_birth) >= 18
        ? null
        : `${k.person_id}-${k.relative_id}`,
    );
    expect(spouses.length).toBeGreaterThan(N / 4);
    expect(wrong).toEqual([]);
  });

  it('has adult wards under court-appointed guardians who are adult relatives', () => {
    const byId = new Map(data.persons.map((p) => [p.id, p]));
    const court = data.guardianships.filter((g) => g.basis === 'court_appointed');
    expect(court.length).toBeGreaterThan(10);
    const related = new Set(
      data.kinships.flatMap((k) => [`${k.person_id}-${k.relative_id}`, `${k.relative_id}-${k.person_id}`]),
    );
    for (const g of court) {
      const ward = byId.get(g.ward_id)!;
      const guardian = byId.get(g.guardian_id)!;
      expect(age(ward.date_of_birth)).toBeGreaterThanOrEqual(18);
      expect(age(guardian.date_of_birth)).toBeGreaterThanOrEqual(18);
      expect(ward.date_of_death).toBeNull();
      expect(related.has(`${g.ward_id}-${g.guardian_id}`)).toBe(true);
      expect(g.court).toMatch(/^Tòa án nhân dân /);
      expect(g.decision_number).toMatch(/^\d+\/\d{4}\/QĐST-DS$/);
      expect(g.since < SANDBOX_AS_OF).toBe(true);
    }
    expect(new Set(data.guardianships.map((g) => g.id)).size).toBe(data.guardianships.length);
  });
});

describe('identity cards', () => {
  it('follow the law: number = PIN, issued from 2016, expiry from the renewal ages', () => {
    const byId = new Map(data.persons.map((p) => [p.id, p]));
    const wrong = violations(data.idCards, (c) => {
      const p = byId.get(c.person_id)!;
      if (c.number !== p.pin) return `${c.number}: not the PIN ${p.pin}`;
      if (c.issued_on < '2016-01-01' || c.issued_on > (p.date_of_death ?? SANDBOX_AS_OF))
        return `${c.number}: issued ${c.issued_on}`;
      if (c.expires_on !== cardExpiry(p.date_of_birth, c.issued_on)) return `${c.number}: expires ${c.expires_on}`;
      if (c.chip !== c.issued_on >= '2021-01-01') return `${c.number}: chip ${c.chip} issued ${c.issued_on}`;
      // Under 14 only on request under the 2023 law, in force 1 July 2024.
      const ageAtIssue = ageOn(daysFromIso(p.date_of_birth), daysFromIso(c.issued_on));
      if (ageAtIssue < 14 && c.issued_on < '2024-07-01') return `${c.number}: issued at ${ageAtIssue}`;
      return null;
    });
    expect(wrong).toEqual([]);
  });

  it('are held by most people from 14, few children, with some expired, revoked and held', () => {
    const cards = new Map(data.idCards.map((c) => [c.person_id, c]));
    const living = data.persons.filter((p) => p.date_of_death === null);
    const adults = living.filter((p) => age(p.date_of_birth) >= 18);
    const children = living.filter((p) => age(p.date_of_birth) < 14);
    expect(share(adults.filter((p) => cards.has(p.id)).length, adults.length)).toBeGreaterThan(0.9);
    expect(share(children.filter((p) => cards.has(p.id)).length, children.length)).toBeLessThan(0.15);
    expect(children.some((p) => cards.has(p.id))).toBe(true);
    const states = data.idCards.map((c) => cardStateOn({ status: c.status, expiresOn: c.expires_on }, SANDBOX_AS_OF));
    const count = (s: string) => states.filter((x) => x === s).length;
    expect(share(count('expired'), states.length)).toBeGreaterThan(0.02);
    expect(share(count('expired'), states.length)).toBeLessThan(0.15);
    expect(count('revoked')).toBeGreaterThan(0);
    expect(count('held')).toBeGreaterThan(0);
    expect(share(count('valid'), states.length)).toBeGreaterThan(0.8);
    expect(
      data.idCards.some(
        (c) => !c.chip && cardStateOn({ status: c.status, expiresOn: c.expires_on }, SANDBOX_AS_OF) === 'valid',
      ),
    ).toBe(true);
    expect(data.idCards.some((c) => c.expires_on === null)).toBe(true);
  });

  it('come with portrait and fingerprints from age 6, none before', () => {
    const byId = new Map(data.persons.map((p) => [p.id, p]));
    const bio = new Set(
      data.biometricReferences.filter((b) => b.subject_kind === 'citizen').map((b) => `${b.subject_id}/${b.kind}`),
    );
    const wrong = violations(data.idCards, (c) => {
      const atIssue = ageOn(daysFromIso(byId.get(c.person_id)!.date_of_birth), daysFromIso(c.issued_on));
      const expected = atIssue >= 6;
      return bio.has(`${c.person_id}/face`) === expected && bio.has(`${c.person_id}/fingerprint`) === expected
        ? null
        : `${c.number} issued at ${atIssue}`;
    });
    expect(wrong).toEqual([]);
    expect(bio.size).toBeGreaterThan(data.idCards.length);
    expect(data.biometricReferences.every((b) => b.sample_ref === null)).toBe(true);
  });
});

describe('mobile subscribers', () => {
  it('are unique 10-digit numbers with real prefixes', () => {
    const phones = data.subscribers.map((s) => s.phone);
    expect(new Set(phones).size).toBe(phones.length);
    expect(violations(data.subscribers, (s) => (normalisePhone(s.phone) === s.phone ? null : s.phone))).toEqual([]);
    expect(new Set(phones.map((p) => p.slice(0, 2)))).toEqual(new Set(['03', '05', '07', '08', '09']));
  });

  it('belong to their adult owners, rarely to children, a few to someone else', () => {
    const byId = new Map(data.persons.map((p) => [p.id, p]));
    const own = new Map<number, number>();
    const citizenSubs = data.subscribers.filter((x) => x.owner_kind === 'citizen');
    for (const s of citizenSubs) own.set(s.owner_id, (own.get(s.owner_id) ?? 0) + 1);
    expect(violations(citizenSubs, (s) => (age(byId.get(s.owner_id)!.date_of_birth) >= 10 ? null : s.phone))).toEqual(
      [],
    );
    const adults = data.persons.filter((p) => p.date_of_death === null && age(p.date_of_birth) >= 18);
    expect(share(adults.filter((p) => own.has(p.id)).length, adults.length)).toBeGreaterThan(0.9);
    const under10 = data.persons.filter((p) => age(p.date_of_birth) < 10);
    expect(under10.some((p) => own.has(p.id))).toBe(false);
    const borrowed = data.subscribers.filter((s) => s.actual_user_id !== null);
    expect(borrowed.length).toBeGreaterThan(20);
    expect(share(borrowed.length, data.subscribers.length)).toBeLessThan(0.05);
    for (const s of borrowed) {
      expect(s.owner_kind).toBe('citizen');
      expect(s.actual_user_id).not.toBe(s.owner_id);
    }
  });
});

describe('foreigners', () => {
  it('have unique passports, residence cards with some expired, biometrics for some', () => {
    const foreigners = data.foreigners;
    expect(foreigners.length).toBe(Math.ceil(N / 200));
    expect(new Set(foreigners.map((f) => `${f.passport_country}:${f.passport_number}`)).size).toBe(foreigners.length);
    expect(new Set(foreigners.map((f) => f.nationality)).size).toBeGreaterThan(5);
    const cards = data.residenceCards;
    expect(share(cards.length, foreigners.length)).toBeGreaterThan(0.6);
    expect(cards.length).toBeLessThan(foreigners.length);
    expect(cards.some((c) => c.kind === 'permanent')).toBe(true);
    expect(cards.some((c) => c.expires_on <= SANDBOX_AS_OF)).toBe(true);
    expect(cards.some((c) => c.expires_on > SANDBOX_AS_OF)).toBe(true);
    const byId = new Map(foreigners.map((f) => [f.id, f]));
    for (const c of cards) {
      const f = byId.get(c.foreigner_id)!;
      expect(c.issued_on < c.expires_on).toBe(true);
      if (c.kind === 'temporary' && f.id > 2) {
        // Ends at least 30 days before the passport (Law on foreigners' entry and residence, Art 38).
        expect(daysFromIso(f.passport_expires_on) - daysFromIso(c.expires_on)).toBeGreaterThanOrEqual(30);
      }
    }
    const withBio = new Set(
      data.biometricReferences.filter((b) => b.subject_kind === 'foreigner').map((b) => b.subject_id),
    );
    expect(withBio.size).toBeGreaterThan(foreigners.length * 0.3);
    expect(withBio.size).toBeLessThan(foreigners.length * 0.8);
    expect(foreigners.some((f) => f.passport_expires_on <= SANDBOX_AS_OF)).toBe(true);
    expect(data.foreignerKinships.some((k) => k.relation !== 'spouse')).toBe(true);
  });
});

describe('organisations', () => {
  it('have unique 10-digit codes, 1–3 adult living legal representatives, and some are dissolved', () => {
    const orgs = data.organisations;
    expect(orgs.length).toBe(N / 100);
    expect(new Set(orgs.map((o) => o.enterprise_code)).size).toBe(orgs.length);
    for (const o of orgs) {
      expect(o.enterprise_code).toMatch(/^\d{10}$/);
      expect(o.name.normalize('NFC')).toBe(o.name);
      expect(o.founded_on <= o.status_since).toBe(true);
    }
    const byId = new Map(data.persons.map((p) => [p.id, p]));
    const reps = new Map<number, number>();
    for (const r of data.legalRepresentatives) {
      reps.set(r.organisation_id, (reps.get(r.organisation_id) ?? 0) + 1);
      const p = byId.get(r.person_id)!;
      expect(ageOn(daysFromIso(p.date_of_birth), daysFromIso(r.since))).toBeGreaterThanOrEqual(18);
    }
    for (const o of orgs) expect(reps.get(o.id) ?? 0, o.enterprise_code).toBeGreaterThanOrEqual(1);
    expect(Math.max(...reps.values())).toBe(3);
    expect([...reps.values()].every((n) => n <= 3)).toBe(true);
    const status = (s: string) => orgs.filter((o) => o.status === s).length;
    expect(status('dissolved')).toBeGreaterThan(0);
    expect(status('suspended')).toBeGreaterThan(0);
    expect(share(status('active'), orgs.length)).toBeGreaterThan(0.7);
  });
});

describe('demo subjects', () => {
  it('are in every sandbox with their fixed identifiers, whatever the seed', () => {
    for (const seed of [1, 2]) {
      const small = collect({ citizens: 200, seed });
      const pins = new Set(small.persons.map((p) => p.pin));
      for (const d of Object.values(DEMO_PERSONS)) {
        if ('pin' in d) expect(pins.has(d.pin), d.fullName).toBe(true);
      }
      expect(small.foreigners.some((f) => f.passport_number === DEMO_PERSONS.foreigner.passportNumber)).toBe(true);
      expect(small.organisations.some((o) => o.enterprise_code === DEMO_PERSONS.organisation.enterpriseCode)).toBe(
        true,
      );
    }
  });

  it('are consistent with the rules they demonstrate', () => {
    const byPin = new Map(data.persons.map((p) => [p.pin, p]));
    for (const d of Object.values(DEMO_PERSONS)) {
      if (!('pin' in d)) continue;
      const p = byPin.get(d.pin)!;
      expect(p.full_name).toBe(d.fullName);
      expect(validatePin(d.pin, { dateOfBirth: d.dateOfBirth, sex: d.sex }).ok, d.fullName).toBe(true);
    }
    const card = (pin: string) => data.idCards.find((c) => c.number === pin)!;
    for (const c of data.idCards.filter((x) => x.person_id <= 11)) {
      expect(c.expires_on).toBe(cardExpiry(byPin.get(c.number)!.date_of_birth, c.issued_on));
    }
    const on = '2027-06-01';
    expect(
      cardStateOn(
        { status: card(DEMO_PERSONS.citizen.pin).status, expiresOn: card(DEMO_PERSONS.citizen.pin).expires_on },
        on,
      ),
    ).toBe('valid');
    expect(card(DEMO_PERSONS.citizen.pin).chip).toBe(true);
    expect(card(DEMO_PERSONS.expiredCard.pin).expires_on).toBe(DEMO_PERSONS.expiredCard.cardExpiredOn);
    expect(card(DEMO_PERSONS.heldCard.pin).status).toBe('held');
    expect(card(DEMO_PERSONS.revokedCard.pin).status).toBe('revoked');
    expect(data.idCards.some((c) => c.number === DEMO_PERSONS.child.pin)).toBe(false);
    expect(byPin.get(DEMO_PERSONS.deceased.pin)!.date_of_death).toBe(DEMO_PERSONS.deceased.dateOfDeath);
    const borrowed = data.subscribers.find((s) => s.phone === DEMO_PERSONS.phoneOfSomeoneElse.phone)!;
    expect(borrowed.owner_id).toBe(byPin.get(DEMO_PERSONS.citizen.pin)!.id);
    expect(borrowed.actual_user_id).toBe(byPin.get(DEMO_PERSONS.phoneOfSomeoneElse.pin)!.id);
    const demoOrg = data.organisations.find((o) => o.enterprise_code === DEMO_PERSONS.organisation.enterpriseCode)!;
    expect(data.legalRepresentatives.filter((r) => r.organisation_id === demoOrg.id)).toHaveLength(2);
  });

  it('keep their identifiers to themselves', () => {
    const count = <T>(items: T[], value: T) => items.filter((v) => v === value).length;
    const pins = data.persons.map((p) => p.pin);
    const phones = data.subscribers.map((s) => s.phone);
    for (const d of Object.values(DEMO_PERSONS)) {
      if ('pin' in d) expect(count(pins, d.pin)).toBe(1);
      if ('phone' in d) expect(count(phones, d.phone)).toBe(1);
    }
  });
});
