import { useRef, type FormEvent } from 'react';
import { ErrorSummary, TextField } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useOfficer } from '../context.tsx';
import { useOfficerAction } from '../forms.tsx';
import { idempotencyKey, useOfficerApi } from '../http.ts';
import type { OfficerApplication } from '../types.ts';
import { IntakeResult, NoUnit, documentsOf, DossierEnd } from './intake-parts.tsx';

/**
 * Counter intake of form TK02 (Decree 69 Art 13.2): an organisation's account, filed by its legal
 * representative. Checked against the Business Registration database; an organisation in no
 * registry goes to manual verification (15 calendar days).
 */

interface Draft {
  enterprise_code: string;
  organisation_name: string;
  filer_pin: string;
  email: string;
  documents: string;
  note: string;
}

const EMPTY: Draft = { enterprise_code: '', organisation_name: '', filer_pin: '', email: '', documents: '', note: '' };

export function OrganisationIntakePage({ brand }: { brand: string }) {
  const { t } = useI18n();
  const api = useOfficerApi();
  const { unit, roles } = useOfficer();
  const [draft, setDraft, clearDraft] = useDraft<Draft>('intake-organisation', EMPTY);
  const [result, setResult, clearResult] = useDraft<OfficerApplication | null>('intake-organisation-result', null);
  const action = useOfficerAction();
  const key = useRef(idempotencyKey());
  const edit = (patch: Partial<Draft>) => {
    key.current = idempotencyKey();
    setDraft({ ...draft, ...patch });
  };
  if (!unit || !roles.has('RECEIVER')) return <NoUnit brand={brand} title={t('intake_organisation_title')} />;

  async function send(e: FormEvent) {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!/^\d{10}(-\d{3})?$/.test(draft.enterprise_code.trim())) problems.enterprise_code = t('enterprise_code_format');
    if (!draft.organisation_name.trim())
      problems.organisation_name = t('missing_field', { field: t('organisation_name') });
    if (!/^\d{12}$/.test(draft.filer_pin.trim())) problems.filer_pin = t('pin_format');
    if (Object.keys(problems).length > 0) {
      action.fail(problems);
      return;
    }
    const created = await action.run(() =>
      api.post<OfficerApplication>(
        `/api/v1/officer/units/${unit!.id}/applications/organisation`,
        {
          enterprise_code: draft.enterprise_code.trim(),
          organisation_name: draft.organisation_name.trim(),
          filer_pin: draft.filer_pin.trim(),
          email: draft.email.trim() || null,
          documents: documentsOf(draft.documents),
          ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
        },
        { headers: { 'idempotency-key': key.current } },
      ),
    );
    if (created) setResult(created);
  }

  return (
    <>
      <PageHeading brand={brand}>{t('intake_organisation_title')}</PageHeading>
      <p>{t('intake_organisation_intro')}</p>
      {result ? (
        <IntakeResult
          application={result}
          onAnother={() => {
            clearDraft();
            clearResult();
            key.current = idempotencyKey();
          }}
        />
      ) : (
        <form className="panel" onSubmit={(e) => void send(e)} noValidate>
          <ErrorSummary items={action.summary} />
          <TextField
            id="enterprise_code"
            label={t('enterprise_code')}
            hint={t('enterprise_code_hint')}
            error={action.fields.enterprise_code}
            autoComplete="off"
            maxLength={14}
            className="input-pin"
            value={draft.enterprise_code}
            onChange={(e) => edit({ enterprise_code: e.target.value })}
          />
          <TextField
            id="organisation_name"
            label={t('organisation_name')}
            error={action.fields.organisation_name}
            autoComplete="off"
            maxLength={300}
            value={draft.organisation_name}
            onChange={(e) => edit({ organisation_name: e.target.value })}
          />
          <TextField
            id="filer_pin"
            label={t('filer_pin')}
            hint={t('filer_pin_hint')}
            error={action.fields.filer_pin}
            inputMode="numeric"
            autoComplete="off"
            maxLength={12}
            className="input-pin"
            value={draft.filer_pin}
            onChange={(e) => edit({ filer_pin: e.target.value.replace(/\D/g, '') })}
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
          <DossierEnd
            documents={draft.documents}
            note={draft.note}
            errors={action.fields}
            busy={action.busy}
            onEdit={edit}
            draftHint={t('draft_kept')}
            progress={t('sending')}
          />
        </form>
      )}
    </>
  );
}
