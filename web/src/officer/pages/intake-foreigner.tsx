import { useRef, useState, type FormEvent } from 'react';
import { ErrorSummary, TextField } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { fingerprintsToSend, type Capture } from '../capture.tsx';
import { useOfficer } from '../context.tsx';
import { RadioGroup, useOfficerAction } from '../forms.tsx';
import { idempotencyKey, useOfficerApi } from '../http.ts';
import type { OfficerApplication } from '../types.ts';
import { IntakeResult, NoUnit, documentsOf, BiometricCaptures, DossierEnd } from './intake-parts.tsx';

/**
 * A foreign national's level-2 application at an immigration office (Decree 69 Art 12.2): passport,
 * contact, portrait and fingerprints; the office forwards it to C06, which decides.
 */

interface Draft {
  passport_number: string;
  passport_country: string;
  phone: string;
  email: string;
  locale: string;
  documents: string;
  note: string;
}

const EMPTY: Draft = {
  passport_number: '',
  passport_country: '',
  phone: '',
  email: '',
  locale: 'en',
  documents: '',
  note: '',
};

export function ForeignerIntakePage({ brand }: { brand: string }) {
  const { t } = useI18n();
  const api = useOfficerApi();
  const { unit, roles } = useOfficer();
  const [draft, setDraft, clearDraft] = useDraft<Draft>('intake-foreigner', EMPTY);
  const [result, setResult, clearResult] = useDraft<OfficerApplication | null>('intake-foreigner-result', null);
  const [face, setFace] = useState<Capture | undefined>();
  const [fingers, setFingers] = useState<(Capture | undefined)[]>([]);
  const action = useOfficerAction();
  const key = useRef(idempotencyKey());
  const changed = () => {
    key.current = idempotencyKey();
  };
  const edit = (patch: Partial<Draft>) => {
    changed();
    setDraft({ ...draft, ...patch });
  };
  if (!unit || !roles.has('RECEIVER') || unit.kind !== 'immigration') {
    return <NoUnit brand={brand} title={t('intake_foreigner_title')} />;
  }

  async function send(e: FormEvent) {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!/^[A-Za-z0-9]{5,20}$/.test(draft.passport_number.trim())) problems.passport_number = t('passport_format');
    if (!/^[A-Za-z]{3}$/.test(draft.passport_country.trim())) problems.passport_country = t('country_format');
    if (!draft.phone.trim() && !draft.email.trim()) problems.phone = t('contact_required');
    if (!face) problems.face = t('portrait_required');
    const prints = fingerprintsToSend(fingers);
    if ('gap' in prints) problems.fingerprints = t('fingers_gap', { n: prints.gap });
    else if (prints.images.length < 2) problems.fingerprints = t('fingers_required');
    if (Object.keys(problems).length > 0 || !face || 'gap' in prints) {
      action.fail(problems);
      return;
    }
    const created = await action.run(() =>
      api.post<OfficerApplication>(
        `/api/v1/officer/units/${unit!.id}/applications/foreigner`,
        {
          passport_number: draft.passport_number.trim().toUpperCase(),
          passport_country: draft.passport_country.trim().toUpperCase(),
          phone: draft.phone.trim() || null,
          email: draft.email.trim() || null,
          locale: draft.locale === 'vi' ? 'vi' : 'en',
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
    }
  }

  return (
    <>
      <PageHeading brand={brand}>{t('intake_foreigner_title')}</PageHeading>
      <p>{t('intake_foreigner_intro')}</p>
      {result ? (
        <IntakeResult
          application={result}
          onAnother={() => {
            clearDraft();
            clearResult();
            changed();
          }}
        />
      ) : (
        <form className="panel" onSubmit={(e) => void send(e)} noValidate>
          <ErrorSummary items={action.summary} />
          <TextField
            id="passport_number"
            label={t('passport_number')}
            error={action.fields.passport_number}
            autoComplete="off"
            maxLength={20}
            className="input-pin"
            value={draft.passport_number}
            onChange={(e) => edit({ passport_number: e.target.value })}
          />
          <TextField
            id="passport_country"
            label={t('passport_country')}
            hint={t('passport_country_hint')}
            error={action.fields.passport_country}
            autoComplete="off"
            maxLength={3}
            className="input-short"
            value={draft.passport_country}
            onChange={(e) => edit({ passport_country: e.target.value })}
          />
          <TextField
            id="phone"
            label={t('intake_phone')}
            error={action.fields.phone}
            inputMode="tel"
            autoComplete="off"
            value={draft.phone}
            onChange={(e) => edit({ phone: e.target.value })}
          />
          <TextField
            id="email"
            label={t('intake_email')}
            error={action.fields.email}
            inputMode="email"
            autoComplete="off"
            value={draft.email}
            onChange={(e) => edit({ email: e.target.value })}
          />
          <RadioGroup
            id="locale"
            legend={t('notice_language')}
            value={draft.locale}
            error={action.fields.locale}
            options={[
              { value: 'en', label: 'English' },
              { value: 'vi', label: 'Tiếng Việt' },
            ]}
            onChange={(value) => edit({ locale: value })}
          />
          <BiometricCaptures
            face={face}
            fingers={fingers}
            errors={action.fields}
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
            errors={action.fields}
            busy={action.busy}
            onEdit={edit}
          />
        </form>
      )}
    </>
  );
}
