import { useState, type FormEvent } from 'react';
import { useAuth } from '../../shared/auth.tsx';
import { ErrorSummary, PasscodeField, TextArea, passcodeError, useAction } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useResource } from '../../shared/use-resource.ts';
import { NoticeList } from '../components/notices.tsx';
import type { Ground, Locks, UnlockRequest } from '../types.ts';

/**
 * The restricted view of a locked identity (DOMAIN.md §6: locking never makes unlocking
 * impossible): why it is locked, the passcode unlock of the holder's own lock, an unlock request
 * for the grounds a C06 officer may lift, and the notices. Nothing else is reachable with this
 * token (scope api:app:locked only).
 */
export function LockedView() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const locks = useResource((signal) => api.get<Locks>('/api/v1/app/locks', { signal }), [api, lang]);
  return (
    <>
      <PageHeading brand={t('brand')}>{t('locked_view_title')}</PageHeading>
      <p className="notice notice-warning">{t('locked_view_intro')}</p>
      <section className="panel" aria-labelledby="grounds-title">
        <h2 id="grounds-title">{t('grounds_title')}</h2>
        {locks.loading && !locks.data && <Progress />}
        {locks.error ? <LoadError error={locks.error} retry={locks.reload} /> : null}
        {locks.data && <Grounds locks={locks.data} onChange={locks.reload} />}
      </section>
      <section className="panel" aria-labelledby="notices-title">
        <h2 id="notices-title">{t('notices_title')}</h2>
        <NoticeList />
      </section>
    </>
  );
}

function Grounds({ locks, onChange }: { locks: Locks; onChange(): void }) {
  const { t, dateTime } = useI18n();
  if (locks.grounds.length === 0) return <p>{t('grounds_none')}</p>;
  const own = locks.grounds.find((g) => g.can_unlock_self);
  return (
    <>
      <ul>
        {locks.grounds.map((g) => (
          <li key={g.id}>
            <strong>{g.ground_text}</strong>
            {g.set_at && <> – {t('ground_set_at', { time: dateTime(g.set_at) })}</>}
            {g.legal_basis && <div className="hint">{t('ground_legal_basis', { basis: g.legal_basis })}</div>}
          </li>
        ))}
      </ul>
      {own && <UnlockOwn />}
      {locks.grounds
        .filter((g) => g.can_request_unlock)
        .map((g) => (
          <RequestUnlock key={g.id} ground={g} onSent={onChange} />
        ))}
      {locks.requests.length > 0 && <Requests requests={locks.requests} />}
    </>
  );
}

/** The holder's own lock: the passcode lifts it at once; the restricted token then ends. */
function UnlockOwn() {
  const { t } = useI18n();
  const { api, endLocally } = useAuth();
  const action = useAction();
  const [passcode, setPasscode] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    const wrong = passcodeError(passcode, t);
    if (wrong) return action.fail({ passcode: wrong });
    const done = await action.run(() => api.post('/api/v1/app/locks/unlock', { passcode }));
    setPasscode('');
    if (done) endLocally('unlocked');
  }
  return (
    <form onSubmit={submit} noValidate aria-labelledby="unlock-title">
      <h3 id="unlock-title">{t('unlock_self_title')}</h3>
      <p>{t('unlock_self_intro')}</p>
      <ErrorSummary items={action.summary} />
      <PasscodeField value={passcode} onChange={setPasscode} error={action.fields.passcode} />
      <button type="submit" disabled={action.busy}>
        {t('unlock_submit')}
      </button>
      {action.busy && <Progress label={t('unlocking')} />}
    </form>
  );
}

/** Another ground: a statement to a C06 officer, kept as a draft until sent. */
function RequestUnlock({ ground, onSent }: { ground: Ground; onSent(): void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const action = useAction();
  const [statement, setStatement, clearDraft] = useDraft(`unlock-request:${ground.id}`, '');
  const [sent, setSent] = useState(false);
  const id = `statement-${ground.id}`;
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (statement.trim() === '') return action.fail({ [id]: t('statement_required') });
    const done = await action.run(() =>
      api.post('/api/v1/app/unlock-requests', { ground_id: ground.id, statement: statement.trim() }),
    );
    if (!done) return;
    clearDraft();
    setSent(true);
    onSent();
  }
  const statementError = action.fields[id] ?? action.fields.statement;
  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('request_unlock_title')}</h3>
      <p>{t('request_unlock_for', { ground: ground.ground_text })}</p>
      {sent && (
        <p className="success" role="status">
          {t('request_sent')}
        </p>
      )}
      <ErrorSummary items={action.summary} />
      <TextArea
        id={id}
        label={t('request_statement_label')}
        hint={`${t('request_statement_hint')} ${t('draft_kept')}`}
        error={statementError}
        maxLength={2000}
        value={statement}
        onChange={(e) => setStatement(e.target.value)}
      />
      <button type="submit" disabled={action.busy}>
        {t('request_submit')}
      </button>
      {action.busy && <Progress label={t('sending')} />}
    </form>
  );
}

function Requests({ requests }: { requests: UnlockRequest[] }) {
  const { t, dateTime } = useI18n();
  return (
    <>
      <h3>{t('requests_title')}</h3>
      <ul>
        {requests.map((r) => (
          <li key={r.id}>
            {r.number} – {dateTime(r.received_at)} – {t('request_state', { state: enumLabel('state', r.state, t) })}
          </li>
        ))}
      </ul>
    </>
  );
}
