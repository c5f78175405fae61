import { useState, type FormEvent } from 'react';
import { ApiError } from '../../shared/api.ts';
import { ErrorSummary, TextArea, TextField } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useOfficer } from '../context.tsx';
import { Facts, RadioGroup, useOfficerAction } from '../forms.tsx';
import { useOfficerApi } from '../http.ts';
import type { HotlineAccount } from '../types.ts';
import { NoUnit } from './intake-parts.tsx';

/**
 * The hotline (Decree 69 Art 14.2): after the 7 days of in-app activation only the call centre
 * reopens activation, once it has verified the caller. The officer finds the account by its login
 * identifier, says how the caller was verified, and gives the reason. Every lookup is in the ledger.
 */

export const VERIFICATION_METHODS = ['knowledge_questions', 'video_call', 'callback_registered_phone'] as const;

export function CallCentrePage({ brand }: { brand: string }) {
  const { t, date, dateTime } = useI18n();
  const api = useOfficerApi();
  const { roles } = useOfficer();
  const [draft, setDraft, clearDraft] = useDraft('call-centre', {
    identifier: '',
    reason: '',
    method: 'knowledge_questions',
  });
  // What was checked may hold personal data: kept in memory only, never in a draft.
  const [note, setNote] = useState('');
  const [account, setAccount] = useState<HotlineAccount | undefined>();
  const [done, setDone] = useState<HotlineAccount | undefined>();
  const lookup = useOfficerAction();
  const reissue = useOfficerAction();
  if (!roles.has('CALL_CENTER')) return <NoUnit brand={brand} title={t('call_centre_title')} />;

  async function find(e: FormEvent) {
    e.preventDefault();
    setDone(undefined);
    if (!draft.identifier.trim()) {
      lookup.fail({ identifier: t('missing_field', { field: t('login_identifier') }) });
      return;
    }
    const found = await lookup.run(async () => {
      try {
        return await api.get<HotlineAccount>(
          `/api/v1/officer/accounts/lookup?identifier=${encodeURIComponent(draft.identifier.trim())}`,
        );
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          throw new ApiError(404, { ...error.problem, field: 'identifier', detail: t('account_not_found') });
        }
        throw error;
      }
    });
    setAccount(found);
  }

  async function send(e: FormEvent) {
    e.preventDefault();
    if (!account) return;
    const problems: Record<string, string> = {};
    if (!draft.reason.trim()) problems.reason = t('missing_field', { field: t('reissue_reason') });
    if (!note.trim()) problems['verification.note'] = t('missing_field', { field: t('verification_note') });
    if (Object.keys(problems).length > 0) {
      reissue.fail(problems);
      return;
    }
    const updated = await reissue.run(() =>
      api.post<HotlineAccount>(`/api/v1/officer/accounts/${account.account_id}/activation`, {
        reason: draft.reason.trim(),
        verification: { method: draft.method, note: note.trim() },
        version: account.version,
      }),
    );
    if (updated) {
      setAccount(updated);
      setDone(updated);
      setNote('');
      clearDraft();
    }
  }

  const expired = account?.status === 'activation_expired';
  return (
    <>
      <PageHeading brand={brand}>{t('call_centre_title')}</PageHeading>
      <p>{t('call_centre_intro')}</p>
      <form className="panel" onSubmit={(e) => void find(e)} noValidate>
        <ErrorSummary items={lookup.summary} />
        <TextField
          id="identifier"
          label={t('login_identifier')}
          hint={t('login_identifier_hint')}
          error={lookup.fields.identifier}
          autoComplete="off"
          maxLength={64}
          className="input-pin"
          value={draft.identifier}
          onChange={(e) => setDraft({ ...draft, identifier: e.target.value })}
        />
        <div className="actions">
          <button type="submit" disabled={lookup.busy}>
            {t('account_lookup')}
          </button>
        </div>
        {lookup.busy && <Progress />}
      </form>
      {account && (
        <section className="panel" aria-labelledby="hotline-account">
          <h2 id="hotline-account">{t('hotline_account')}</h2>
          {done && (
            <p className="success" role="status">
              {t('reissue_done', { date: done.activation_due_on ? date(done.activation_due_on) : '' })}
            </p>
          )}
          <Facts
            items={[
              [t('off_subject_kind'), enumLabel('subject', account.subject_kind, t)],
              [t('account_status'), enumLabel('status', account.status, t)],
              [t('account_level'), account.level === null ? t('level_none') : t('level_n', { n: account.level })],
              [t('account_phone'), account.masked_phone ?? t('none')],
              [t('activation_due'), account.activation_due_at ? dateTime(account.activation_due_at) : undefined],
            ]}
          />
          {!expired && !done && <p className="notice">{t('reissue_not_expired')}</p>}
        </section>
      )}
      {account && expired && (
        <form className="panel" onSubmit={(e) => void send(e)} noValidate aria-labelledby="reissue-title">
          <h2 id="reissue-title">{t('reissue_title')}</h2>
          <ErrorSummary items={reissue.summary} />
          <RadioGroup
            id="verification.method"
            legend={t('verification_method')}
            value={draft.method}
            error={reissue.fields['verification.method']}
            options={VERIFICATION_METHODS.map((m) => ({ value: m, label: t(`verification_${m}`) }))}
            onChange={(value) => setDraft({ ...draft, method: value })}
          />
          <TextArea
            id="verification.note"
            label={t('verification_note')}
            hint={t('verification_note_hint')}
            error={reissue.fields['verification.note']}
            maxLength={2000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <TextArea
            id="reason"
            label={t('reissue_reason')}
            error={reissue.fields.reason}
            maxLength={500}
            value={draft.reason}
            onChange={(e) => setDraft({ ...draft, reason: e.target.value })}
          />
          <div className="actions">
            <button type="submit" disabled={reissue.busy}>
              {t('reissue_submit')}
            </button>
          </div>
          {reissue.busy && <Progress label={t('sending')} />}
        </form>
      )}
    </>
  );
}
