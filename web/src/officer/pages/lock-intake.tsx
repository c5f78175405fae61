import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorSummary, TextArea, TextField } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useOfficer } from '../context.tsx';
import { Facts, InputField, RadioGroup, SelectField, useOfficerAction } from '../forms.tsx';
import { useOfficerApi } from '../http.ts';
import type { LockRequest } from '../types.ts';
import { NoUnit } from './intake-parts.tsx';

/**
 * Form TK03 at a counter (Decree 69 Art 30; seed 003): the holder present with their card locks or
 * unlocks their own identity at once; or, at a PC06 only, a court's, prosecutor's or investigator's
 * written request (in person or by post) starts the authority chain: PC06 forwards within 1 working
 * day, C06 decides within 2.
 */

export const AUTHORITY_KINDS = ['court', 'procuracy', 'investigation', 'other'] as const;

interface Draft {
  origin: string;
  action: string;
  identifier: string;
  statement: string;
  channel: string;
  authority_name: string;
  authority_kind: string;
  authority_email: string;
  document_no: string;
  document_date: string;
  target_request_number: string;
  notify_subject_after: string;
}

const EMPTY: Draft = {
  origin: 'holder',
  action: 'lock',
  identifier: '',
  statement: '',
  channel: 'counter',
  authority_name: '',
  authority_kind: 'court',
  authority_email: '',
  document_no: '',
  document_date: '',
  target_request_number: '',
  notify_subject_after: '',
};

/** `authority.document_no` (the body's path) → `document_no` (the field's id). */
function fieldsOf(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    const name = k.replace(/^authority\.(name|kind|email)$/, 'authority_$1').replace(/^authority\./, '');
    out[name] = v;
  }
  return out;
}

export function LockIntakePage({ brand }: { brand: string }) {
  const { t, dateTime } = useI18n();
  const api = useOfficerApi();
  const { unit, roles } = useOfficer();
  const [draft, setDraft, clearDraft] = useDraft<Draft>('lock-intake', EMPTY);
  const [result, setResult] = useState<LockRequest | undefined>();
  const action = useOfficerAction();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (result) heading.current?.focus();
  }, [result]);
  if (!unit || !roles.has('RECEIVER')) return <NoUnit brand={brand} title={t('lock_intake_title')} />;
  const atPc06 = unit.kind === 'pc06';
  const origin = atPc06 ? draft.origin : 'holder';
  const fields = fieldsOf(action.fields);
  const edit = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });

  async function send(e: FormEvent) {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!draft.identifier.trim()) problems.identifier = t('missing_field', { field: t('lock_identifier') });
    if (origin === 'authority') {
      if (!draft.authority_name.trim()) problems.authority_name = t('missing_field', { field: t('authority_name') });
      if (!draft.document_no.trim()) problems.document_no = t('missing_field', { field: t('document_no') });
      if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.document_date))
        problems.document_date = t('missing_field', { field: t('document_date') });
      if (!draft.statement.trim()) problems.statement = t('statement_required');
      if (draft.action === 'unlock' && !draft.target_request_number.trim()) {
        problems.target_request_number = t('target_request_required');
      }
    }
    if (Object.keys(problems).length > 0) {
      action.fail(problems);
      return;
    }
    const body =
      origin === 'holder'
        ? {
            origin: 'holder',
            action: draft.action,
            identifier: draft.identifier.trim(),
            ...(draft.statement.trim() ? { statement: draft.statement.trim() } : {}),
          }
        : {
            origin: 'authority',
            action: draft.action,
            identifier: draft.identifier.trim(),
            channel: draft.channel,
            authority: {
              name: draft.authority_name.trim(),
              kind: draft.authority_kind,
              email: draft.authority_email.trim() || null,
              document_no: draft.document_no.trim(),
              document_date: draft.document_date,
            },
            statement: draft.statement.trim(),
            ...(draft.action === 'unlock' ? { target_request_number: draft.target_request_number.trim() } : {}),
            ...(draft.notify_subject_after
              ? { notify_subject_after: new Date(`${draft.notify_subject_after}:00+07:00`).toISOString() }
              : {}),
          };
    const created = await action.run(() =>
      api.post<LockRequest>(`/api/v1/officer/units/${unit!.id}/lock-requests`, body),
    );
    if (created) {
      setResult(created);
      clearDraft();
    }
  }

  if (result) {
    return (
      <>
        <PageHeading brand={brand}>{t('lock_intake_title')}</PageHeading>
        <section className="panel" aria-labelledby="lock-result">
          <h2 id="lock-result" tabIndex={-1} ref={heading}>
            {t('lock_request_number', { number: result.number })}
          </h2>
          <p className="success" role="status">
            {t('lock_intake_done', { state: enumLabel('state', result.state, t) })}
          </p>
          <Facts
            items={[
              [t('col_subject'), `${result.subject_name} (${result.subject_identifier})`],
              [t('lock_action'), enumLabel('lock_action', result.action, t)],
              [t('col_state'), enumLabel('state', result.state, t)],
              [t('col_due'), result.due_at ? dateTime(result.due_at) : undefined],
            ]}
          />
          <div className="actions">
            <Link className="button button-secondary" to={`/officer/lock-requests/${result.id}`}>
              {t('open_lock_request')}
            </Link>
            <button type="button" className="button-secondary" onClick={() => setResult(undefined)}>
              {t('intake_another')}
            </button>
          </div>
        </section>
      </>
    );
  }

  return (
    <>
      <PageHeading brand={brand}>{t('lock_intake_title')}</PageHeading>
      <p>{t(atPc06 ? 'lock_intake_intro_pc06' : 'lock_intake_intro')}</p>
      <form className="panel" onSubmit={(e) => void send(e)} noValidate>
        <ErrorSummary items={action.summary} />
        {atPc06 && (
          <RadioGroup
            id="origin"
            legend={t('lock_origin')}
            value={origin}
            error={fields.origin}
            options={[
              { value: 'holder', label: t('lock_origin_holder') },
              { value: 'authority', label: t('lock_origin_authority') },
            ]}
            onChange={(value) => edit({ origin: value })}
          />
        )}
        <RadioGroup
          id="action"
          legend={t('lock_action')}
          value={draft.action}
          error={fields.action}
          options={[
            { value: 'lock', label: t('lock_action_lock') },
            { value: 'unlock', label: t('lock_action_unlock') },
          ]}
          onChange={(value) => edit({ action: value })}
        />
        <TextField
          id="identifier"
          label={t('lock_identifier')}
          hint={t('lock_identifier_hint')}
          error={fields.identifier}
          autoComplete="off"
          maxLength={64}
          className="input-pin"
          value={draft.identifier}
          onChange={(e) => edit({ identifier: e.target.value })}
        />
        {origin === 'authority' && (
          <fieldset className="field group">
            <legend>{t('authority_legend')}</legend>
            <RadioGroup
              id="channel"
              legend={t('lock_channel')}
              value={draft.channel}
              error={fields.channel}
              options={[
                { value: 'counter', label: t('channel_counter') },
                { value: 'post', label: t('channel_post') },
              ]}
              onChange={(value) => edit({ channel: value })}
            />
            <TextField
              id="authority_name"
              label={t('authority_name')}
              error={fields.authority_name}
              maxLength={300}
              value={draft.authority_name}
              onChange={(e) => edit({ authority_name: e.target.value })}
            />
            <SelectField
              id="authority_kind"
              label={t('authority_kind')}
              error={fields.authority_kind}
              value={draft.authority_kind}
              options={AUTHORITY_KINDS.map((k) => ({ value: k, label: t(`authority_${k}`) }))}
              onChange={(e) => edit({ authority_kind: e.target.value })}
            />
            <TextField
              id="authority_email"
              label={t('authority_email')}
              hint={t('authority_email_hint')}
              error={fields.authority_email}
              inputMode="email"
              maxLength={254}
              value={draft.authority_email}
              onChange={(e) => edit({ authority_email: e.target.value })}
            />
            <TextField
              id="document_no"
              label={t('document_no')}
              error={fields.document_no}
              maxLength={100}
              value={draft.document_no}
              onChange={(e) => edit({ document_no: e.target.value })}
            />
            <InputField
              id="document_date"
              type="date"
              label={t('document_date')}
              error={fields.document_date}
              value={draft.document_date}
              onChange={(e) => edit({ document_date: e.target.value })}
            />
            {draft.action === 'unlock' && (
              <TextField
                id="target_request_number"
                label={t('target_request_number')}
                hint={t('target_request_hint')}
                error={fields.target_request_number}
                maxLength={40}
                value={draft.target_request_number}
                onChange={(e) => edit({ target_request_number: e.target.value })}
              />
            )}
            <InputField
              id="notify_subject_after"
              type="datetime-local"
              label={t('notify_subject_after')}
              hint={t('notify_subject_after_hint')}
              error={fields.notify_subject_after}
              value={draft.notify_subject_after}
              onChange={(e) => edit({ notify_subject_after: e.target.value })}
            />
          </fieldset>
        )}
        <TextArea
          id="statement"
          label={t(origin === 'authority' ? 'lock_statement_authority' : 'lock_statement_holder')}
          error={fields.statement}
          maxLength={2000}
          value={draft.statement}
          onChange={(e) => edit({ statement: e.target.value })}
        />
        <p className="hint">{t('draft_kept')}</p>
        <div className="actions">
          <button type="submit" disabled={action.busy}>
            {t('lock_intake_submit')}
          </button>
        </div>
        {action.busy && <Progress label={t('sending')} />}
      </form>
    </>
  );
}
