import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor, Trx } from '../../platform/database.ts';
import { defineProblems } from '../../platform/errors.ts';
import { cardExpiry, type ChangeKind, type IsoDate, type OrganisationStatus, type RegistryChange } from '../model.ts';
import { makePin } from '../pin.ts';
import type { ChangeRow } from '../tables.ts';
import { changeFrom } from './changes.ts';

/**
 * Sandbox-only: what happens in the real registries without us (a card is held, a person dies,
 * a company is dissolved), so that demos and tests can make it happen. Each operation is a
 * conditional update and its entry in the change feed, in one transaction. Not a port: nothing
 * in production depends on it.
 */
export interface SandboxControl {
  /** Revoke (thu hồi) a valid or held card. */
  revokeCard(pin: string, on: IsoDate): Promise<RegistryChange>;
  /** Hold (tạm giữ) a valid card. */
  holdCard(pin: string, on: IsoDate): Promise<RegistryChange>;
  /** Give back a held card, or restore a revoked one. */
  returnCard(pin: string, on: IsoDate): Promise<RegistryChange>;
  /** Issue a new chip card (first card, renewal or replacement) to a living citizen; not while one is held. */
  issueCard(pin: string, on: IsoDate): Promise<RegistryChange>;
  recordDeath(pin: string, on: IsoDate): Promise<RegistryChange>;
  /** Cancel a PIN and give the person a new one (Decree 70/2024 Art 11.7); the card follows. */
  reissuePin(pin: string, on: IsoDate): Promise<RegistryChange & { newPin: string }>;
  /** active → suspended / dissolved, suspended → active / dissolved. */
  setOrganisationStatus(enterpriseCode: string, status: OrganisationStatus, on: IsoDate): Promise<RegistryChange>;
  /**
   * Records passport and residence-card expiries that fell in (after, on]: `after` defaults to
   * the seed's as-of date (expiries before it are the initial state, not changes). Idempotent.
   */
  recordExpiries(on: IsoDate, after?: IsoDate): Promise<RegistryChange[]>;
}

export const sandboxProblem = defineProblems({
  SANDBOX_SUBJECT_NOT_FOUND: {
    status: 404,
    vi: 'Không tìm thấy {what} trong cơ sở dữ liệu thử nghiệm.',
    en: '{what} is not in the sandbox registries.',
  },
  SANDBOX_STATE_CONFLICT: {
    status: 409,
    vi: 'Không thể thực hiện: {reason}.',
    en: 'Not possible: {reason}.',
  },
});

/** Change ids are handed out and committed in order, so a reader's cursor never skips one. */
const CHANGES_LOCK = 0x5eed_0c4a;

async function record(
  trx: Trx,
  subjectKind: ChangeRow['subject_kind'],
  subjectId: number,
  kind: ChangeKind,
  on: IsoDate,
  detail: Record<string, unknown>,
): Promise<RegistryChange> {
  await sql`select pg_advisory_xact_lock(${CHANGES_LOCK})`.execute(trx);
  const row = await trx
    .insertInto('sandbox.changes')
    .values({ subject_kind: subjectKind, subject_id: subjectId, kind, occurred_on: on, detail: JSON.stringify(detail) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return changeFrom(row);
}

/** A PIN with the same prefix (province, century, sex, year) that nobody has or had. */
async function freePin(
  trx: Trx,
  p: { birth_province: string; date_of_birth: string; sex: 'male' | 'female'; pin: string },
): Promise<string> {
  for (let tries = 0; tries < 50; tries++) {
    const candidate = makePin(p.birth_province, p.date_of_birth, p.sex, randomInt(0, 1_000_000));
    const taken = await trx
      .selectFrom('sandbox.persons')
      .select('id')
      .where('pin', '=', candidate)
      .union(trx.selectFrom('sandbox.pin_history').select('person_id as id').where('old_pin', '=', candidate))
      .executeTakeFirst();
    if (!taken) return candidate;
  }
  throw new Error(`no free PIN serial for ${p.pin.slice(0, 6)}`);
}

function authorityFor(on: IsoDate): string {
  return on >= '2024-07-01' ? 'Bộ Công an' : 'Cục Cảnh sát quản lý hành chính về trật tự xã hội';
}

export function sandboxControl(db: Executor): SandboxControl {
  const inTransaction = <T>(work: (trx: Trx) => Promise<T>): Promise<T> =>
    db.isTransaction ? work(db as Trx) : db.transaction().execute(work);

  async function person(trx: Trx, pin: string) {
    const row = await trx
      .selectFrom('sandbox.persons')
      .select(['id', 'pin', 'sex', 'date_of_birth', 'date_of_death', 'birth_province'])
      .where('pin', '=', pin)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw sandboxProblem('SANDBOX_SUBJECT_NOT_FOUND', { what: `PIN ${pin}` });
    return row;
  }

  async function cardTransition(
    pin: string,
    on: IsoDate,
    from: ('valid' | 'held' | 'revoked')[],
    to: 'valid' | 'held' | 'revoked',
    kind: ChangeKind,
  ): Promise<RegistryChange> {
    return inTransaction(async (trx) => {
      const p = await person(trx, pin);
      const updated = await trx
        .updateTable('sandbox.id_cards')
        .set({ status: to, status_since: on })
        .where('person_id', '=', p.id)
        .where('status', 'in', from)
        .returning('status')
        .executeTakeFirst();
      if (!updated) {
        const card = await trx
          .selectFrom('sandbox.id_cards')
          .select('status')
          .where('person_id', '=', p.id)
          .executeTakeFirst();
        throw sandboxProblem('SANDBOX_STATE_CONFLICT', {
          reason: card ? `the card is ${card.status}, not ${from.join(' or ')}` : 'the citizen has no card',
        });
      }
      return record(trx, 'citizen', p.id, kind, on, { pin });
    });
  }

  return {
    revokeCard: (pin, on) => cardTransition(pin, on, ['valid', 'held'], 'revoked', 'card_revoked'),
    holdCard: (pin, on) => cardTransition(pin, on, ['valid'], 'held', 'card_held'),
    returnCard: (pin, on) => cardTransition(pin, on, ['held', 'revoked'], 'valid', 'card_returned'),

    issueCard(pin, on) {
      return inTransaction(async (trx) => {
        const p = await person(trx, pin);
        if (p.date_of_death !== null)
          throw sandboxProblem('SANDBOX_STATE_CONFLICT', { reason: 'the citizen has died' });
        const current = await trx
          .selectFrom('sandbox.id_cards')
          .select('status')
          .where('person_id', '=', p.id)
          .executeTakeFirst();
        if (current?.status === 'held') {
          throw sandboxProblem('SANDBOX_STATE_CONFLICT', { reason: 'the card is held; return it first' });
        }
        const card = {
          number: p.pin,
          issued_on: on,
          expires_on: cardExpiry(p.date_of_birth, on),
          chip: true,
          status: 'valid' as const,
          status_since: on,
          issuing_authority: authorityFor(on),
        };
        await trx
          .insertInto('sandbox.id_cards')
          .values({ person_id: p.id, ...card })
          .onConflict((oc) => oc.column('person_id').doUpdateSet(card))
          .execute();
        // Portrait and fingerprints are taken with the card from age 6 (Law on Identification Art 23).
        const sixth = `${Number(p.date_of_birth.slice(0, 4)) + 6}${p.date_of_birth.slice(4)}`;
        if (on >= sixth) {
          for (const kind of ['face', 'fingerprint'] as const) {
            await trx
              .insertInto('sandbox.biometric_references')
              .values({ subject_kind: 'citizen', subject_id: p.id, kind, sample_ref: null, captured_on: on })
              .onConflict((oc) => oc.columns(['subject_kind', 'subject_id', 'kind']).doUpdateSet({ captured_on: on }))
              .execute();
          }
        }
        return record(trx, 'citizen', p.id, 'card_issued', on, { pin, expiresOn: card.expires_on });
      });
    },

    recordDeath(pin, on) {
      return inTransaction(async (trx) => {
        const p = await person(trx, pin);
        if (p.date_of_death !== null) {
          throw sandboxProblem('SANDBOX_STATE_CONFLICT', { reason: `death already recorded on ${p.date_of_death}` });
        }
        if (on < p.date_of_birth) throw sandboxProblem('SANDBOX_STATE_CONFLICT', { reason: 'death before birth' });
        await trx.updateTable('sandbox.persons').set({ date_of_death: on }).where('id', '=', p.id).execute();
        return record(trx, 'citizen', p.id, 'death', on, { pin });
      });
    },

    reissuePin(pin, on) {
      return inTransaction(async (trx) => {
        const p = await person(trx, pin);
        const newPin = await freePin(trx, p);
        await trx
          .insertInto('sandbox.pin_history')
          .values({
            old_pin: pin,
            person_id: p.id,
            replaced_on: on,
            reason: 'Hủy số định danh cá nhân đã xác lập do sai sót thông tin khai sinh',
          })
          .execute();
        await trx.updateTable('sandbox.persons').set({ pin: newPin }).where('id', '=', p.id).execute();
        // The card bears the PIN: the holder gets a new one under the new number.
        await trx
          .updateTable('sandbox.id_cards')
          .set({
            number: newPin,
            issued_on: on,
            expires_on: cardExpiry(p.date_of_birth, on),
            chip: true,
            status: 'valid',
            status_since: on,
            issuing_authority: authorityFor(on),
          })
          .where('person_id', '=', p.id)
          .execute();
        const change = await record(trx, 'citizen', p.id, 'pin_reissued', on, { previousPin: pin, pin: newPin });
        return { ...change, newPin };
      });
    },

    setOrganisationStatus(enterpriseCode, status, on) {
      return inTransaction(async (trx) => {
        const org = await trx
          .selectFrom('sandbox.organisations')
          .select(['id', 'status'])
          .where('enterprise_code', '=', enterpriseCode)
          .forUpdate()
          .executeTakeFirst();
        if (!org) throw sandboxProblem('SANDBOX_SUBJECT_NOT_FOUND', { what: `enterprise code ${enterpriseCode}` });
        const allowed: Record<OrganisationStatus, OrganisationStatus[]> = {
          active: ['suspended', 'dissolved'],
          suspended: ['active', 'dissolved'],
          dissolved: [],
        };
        if (!allowed[org.status].includes(status)) {
          throw sandboxProblem('SANDBOX_STATE_CONFLICT', { reason: `the organisation is ${org.status}` });
        }
        await trx
          .updateTable('sandbox.organisations')
          .set({ status, status_since: on })
          .where('id', '=', org.id)
          .where('status', '=', org.status)
          .execute();
        const kind: ChangeKind =
          status === 'dissolved'
            ? 'organisation_dissolved'
            : status === 'suspended'
              ? 'organisation_suspended'
              : 'organisation_resumed';
        return record(trx, 'organisation', org.id, kind, on, { enterpriseCode });
      });
    },

    recordExpiries(on, after) {
      return inTransaction(async (trx) => {
        let from = after;
        if (from === undefined) {
          const info = await trx
            .selectFrom('sandbox.seed_info')
            .select(sql<string>`to_char(as_of, 'YYYY-MM-DD')`.as('as_of'))
            .executeTakeFirst();
          from = info?.as_of ?? '0001-01-01';
        }
        await sql`select pg_advisory_xact_lock(${CHANGES_LOCK})`.execute(trx);
        const inserted = await sql<ChangeRow & { id: number; recorded_at: Date }>`
          insert into sandbox.changes (subject_kind, subject_id, kind, occurred_on, detail)
          select 'foreigner', e.id, e.kind, e.expired_on, e.detail
            from (
              select f.id, 'passport_expired' as kind, f.passport_expires_on as expired_on,
                     jsonb_build_object('passportNumber', f.passport_number, 'country', f.passport_country) as detail
                from sandbox.foreigners f
               where f.passport_expires_on > ${from}::date and f.passport_expires_on <= ${on}::date
              union all
              select c.foreigner_id, 'residence_card_expired', c.expires_on,
                     jsonb_build_object('residenceCard', c.number, 'kind', c.kind)
                from sandbox.residence_cards c
               where c.expires_on > ${from}::date and c.expires_on <= ${on}::date
            ) e
           where not exists (
             select 1 from sandbox.changes x
              where x.subject_kind = 'foreigner' and x.subject_id = e.id and x.kind = e.kind
                and x.occurred_on = e.expired_on)
           order by e.expired_on, e.id, e.kind
          returning *`.execute(trx);
        return inserted.rows.map(changeFrom).sort((a, b) => Number(a.id) - Number(b.id));
      });
    },
  };
}
