import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../shared/api.ts';
import { ErrorSummary, TextField } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { fingerprintsToSend, type Capture } from '../capture.tsx';
import { useOfficer } from '../context.tsx';
import { Facts, useOfficerAction } from '../forms.tsx';
import { idempotencyKey, useOfficerApi } from '../http.ts';
import type { CounterCitizen, OfficerApplication } from '../types.ts';
import { IntakeResult, NoUnit, documentsOf, BiometricCaptures, DossierEnd } from './intake-parts.tsx';

/**
 * Counter intake of form TK01 (Decree 69 Art 11): the officer reads the citizen's record by PIN
 * (the read is in the ledger and the citizen's history), checks it against the person and the card,
 * captures the portrait (camera or file) and the fingerprints, and submits. The answer says where
 * the application stands, with the matchers' scores and any capture to retake; the receipt prints
 * from it. What the officer typed is kept through a reload; the captures are not (biometrics are
 * never stored, DOMAIN.md §9).
 */

interface Draft {
  pin: string;
  phone: string;
  email: string;
  representative_pin: string;
  documents: string;
  note: string;
}

const EMPTY: Draft = { pin: '', phone: '', email: '', representative_pin: '', documents: '', note: '' };

export function CitizenIntakePage({ brand }: { brand: string }) {
  const { t, date } = useI18n();
  const api = useOfficerApi();
  const { unit, roles } = useOfficer();
  const [draft, setDraft, clearDraft] = useDraft<Draft>('intake-citizen', EMPTY);
  const [record, setRecord, clearRecord] = useDraft<CounterCitizen | null>('intake-citizen-record', null);
  const [result, setResult, clearResult] = useDraft<OfficerApplication | null>('intake-citizen-result', null);
  const [face, setFace] = useState<Capture | undefined>();
  const [fingers, setFingers] = useState<(Capture | undefined)[]>([]);
  const search = useOfficerAction();
  const submit = useOfficerAction();
  // One key per content: a retry of the same submission (lost answer) returns the same application.
  const key = useRef(idempotencyKey());
  const changed = () => {
    key.current = idempotencyKey();
  };
  const edit = (patch: Partial<Draft>) => {
    changed();
    setDraft({ ...draft, ...patch });
  };

  if (!unit || !roles.has('RECEIVER')) return <NoUnit brand={brand} title={t('intake_citizen_title')} />;

  async function find(e: FormEvent) {
    e.preventDefault();
    const pin = draft.pin.trim();
    if (!/^\d{12}$/.test(pin)) {
      search.fail({ pin: t('pin_format') });
      return;
    }
    const found = await search.run(async () => {
      try {
        return await api.get<CounterCitizen>(`/api/v1/officer/units/${unit!.id}/registry/citizens/${pin}`);
      } catch (error) {
        // "Not found" concerns the number typed: said next to it.
        if (error instanceof ApiError && error.status === 404) {
          throw new ApiError(404, { ...error.problem, field: 'pin', detail: t('pin_not_found') });
        }
        throw error;
      }
    });
    if (found) {
      setRecord(found);
      clearResult();
    }
  }

  async function send(e: FormEvent) {
    e.preventDefault();
    if (!record) return;
    const problems: Record<string, string> = {};
    if (!face) problems.face = t('portrait_required');
    const prints = fingerprintsToSend(fingers);
    if ('gap' in prints) problems.fingerprints = t('fingers_gap', { n: prints.gap });
    else if (prints.images.length < 2) problems.fingerprints = t('fingers_required');
    if (Object.keys(problems).length > 0 || !face || 'gap' in prints) {
      submit.fail(problems);
      return;
    }
    const created = await submit.run(() =>
      api.post<OfficerApplication>(
        `/api/v1/officer/units/${unit!.id}/applications/citizen`,
        {
          pin: record.pin,
          phone: draft.phone.trim() || null,
          email: draft.email.trim() || null,
          representative_pin: draft.representative_pin.trim() || null,
          documents: documentsOf(draft.documents),
          ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
          face: face.base64,
          fingerprints: prints.images,
        },
        { headers: { 'idempotency-key': key.current } },
      ),
    );
    if (created) {
      setResult(created);
      setFace(undefined);
      setFingers([]);
      changed();
    }
  }

  function startOver() {
    clearDraft();
    clearRecord();
    clearResult();
    setFace(undefined);
    setFingers([]);
    changed();
  }

  return (
    <>
      <PageHeading brand={brand}>{t('intake_citizen_title')}</PageHeading>
      <p>{t('intake_citizen_intro')}</p>
      {result ? (
        <IntakeResult application={result} onAnother={startOver} />
      ) : (
        <>
          <form className="panel" onSubmit={(e) => void find(e)} noValidate aria-labelledby="search-title">
            <h2 id="search-title">{t('registry_search_title')}</h2>
            <ErrorSummary items={search.summary} />
            <TextField
              id="pin"
              label={t('card_pin')}
              hint={t('pin_hint')}
              error={search.fields.pin}
              inputMode="numeric"
              autoComplete="off"
              maxLength={12}
              className="input-pin"
              value={draft.pin}
              onChange={(e) => {
                edit({ pin: e.target.value.replace(/\D/g, '') });
                if (record && e.target.value !== record.pin) clearRecord();
              }}
            />
            <div className="actions">
              <button type="submit" disabled={search.busy}>
                {t('registry_search')}
              </button>
            </div>
            {search.busy && <Progress label={t('registry_searching')} />}
          </form>

          {record && (
            <section className="panel" aria-labelledby="record-title">
              <h2 id="record-title">{t('registry_record_title')}</h2>
              <p className="hint">{t('registry_record_hint')}</p>
              <Facts
                items={[
                  [t('card_full_name'), record.full_name],
                  [t('card_pin'), record.pin],
                  [t('card_dob'), date(record.date_of_birth)],
                  [t('card_sex'), enumLabel('sex', record.sex, t)],
                  [t('card_residence'), record.residence],
                  [
                    t('off_id_card'),
                    record.id_card
                      ? t('id_card_text', {
                          number: record.id_card.number,
                          status: enumLabel('card_status', record.id_card.status, t),
                          expires: record.id_card.expires_on ? date(record.id_card.expires_on) : t('card_no_expiry'),
                        })
                      : t('id_card_none'),
                  ],
                  [
                    t('biometrics_on_record'),
                    record.biometrics_on_record.length > 0
                      ? record.biometrics_on_record.map((b) => enumLabel('bio', b, t)).join(', ')
                      : t('none'),
                  ],
                  [
                    t('existing_account'),
                    record.account
                      ? t('existing_account_text', {
                          level: record.account.level ?? '—',
                          status: enumLabel('status', record.account.status, t),
                        })
                      : t('none'),
                  ],
                ]}
              />
              {record.deceased && <p className="notice notice-warning">{t('record_deceased')}</p>}
              {record.account && <p className="notice">{t('record_has_account')}</p>}
            </section>
          )}

          {record && (
            <form className="panel" onSubmit={(e) => void send(e)} noValidate aria-labelledby="capture-title">
              <h2 id="capture-title">{t('intake_capture_title')}</h2>
              <ErrorSummary items={submit.summary} />
              <TextField
                id="phone"
                label={t('intake_phone')}
                hint={t('intake_phone_hint')}
                error={submit.fields.phone}
                type="text"
                inputMode="tel"
                autoComplete="off"
                value={draft.phone}
                onChange={(e) => edit({ phone: e.target.value })}
              />
              <TextField
                id="email"
                label={t('intake_email')}
                error={submit.fields.email}
                type="text"
                inputMode="email"
                autoComplete="off"
                value={draft.email}
                onChange={(e) => edit({ email: e.target.value })}
              />
              <TextField
                id="representative_pin"
                label={t('intake_representative_pin')}
                hint={t('intake_representative_hint')}
                error={submit.fields.representative_pin}
                inputMode="numeric"
                autoComplete="off"
                maxLength={12}
                value={draft.representative_pin}
                onChange={(e) => edit({ representative_pin: e.target.value.replace(/\D/g, '') })}
              />
              <BiometricCaptures
                face={face}
                fingers={fingers}
                errors={submit.fields}
                onFace={(c) => {
                  changed();
                  setFace(c);
                }}
                onFingers={(next) => {
                  changed();
                  setFingers(next);
                }}
              />
              <DossierEnd
                documents={draft.documents}
                note={draft.note}
                errors={submit.fields}
                busy={submit.busy}
                onEdit={edit}
              />
            </form>
          )}
        </>
      )}
    </>
  );
}
