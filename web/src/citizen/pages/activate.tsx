import { useEffect, useState, type FormEvent } from 'react';
import { useAuth } from '../../shared/auth.tsx';
import { ErrorSummary, TextField, passcodeError, type FieldErrors } from '../../shared/forms.tsx';
import { useI18n, type Translate } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useFormAction } from '../form-action.ts';

/**
 * Activation in the app (Decree 69/2024 Art 14.1), public: the identifier, then the code sent by
 * SMS to the account's phone (a dependant's: the representative's), the password, the passcode and
 * this device's name, in one request. The identifier, the challenge and the device name are kept
 * as a draft through a reload; the code, password and passcode never are.
 */

interface Challenge {
  challenge_id: string;
  masked_phone: string;
  expires_at: string;
}

interface Draft {
  identifier: string;
  deviceName: string;
  challenge: Challenge | null;
}

type Rule = 'length' | 'upper' | 'lower' | 'digit' | 'symbol';
const RULES: Record<Rule, (p: string) => boolean> = {
  length: (p) => p.length >= 8 && p.length <= 20,
  upper: (p) => /\p{Lu}/u.test(p),
  lower: (p) => /\p{Ll}/u.test(p),
  digit: (p) => /\d/.test(p),
  symbol: (p) => /[^\p{L}\p{N}\s]/u.test(p),
};
const RULE_KEYS = Object.keys(RULES) as Rule[];

function ruleText(rule: Rule, t: Translate): string {
  switch (rule) {
    case 'length':
      return t('cz_pw_rule_length');
    case 'upper':
      return t('cz_pw_rule_upper');
    case 'lower':
      return t('cz_pw_rule_lower');
    case 'digit':
      return t('cz_pw_rule_digit');
    case 'symbol':
      return t('cz_pw_rule_symbol');
  }
}

function identifierFromQuery(): string {
  return new URLSearchParams(location.search).get('identifier') ?? '';
}

export function ActivatePage() {
  const { t } = useI18n();
  const [draft, setDraft, clearDraft] = useDraft<Draft>('activate', {
    identifier: identifierFromQuery(),
    deviceName: '',
    challenge: null,
  });
  const [done, setDone] = useState(false);
  // A link from a result page names the account: it wins over an older draft not yet sent.
  const asked = identifierFromQuery();
  useEffect(() => {
    if (asked && !draft.challenge && draft.identifier !== asked) setDraft({ ...draft, identifier: asked });
    // Once, on arrival.
  }, []);
  return (
    <>
      <PageHeading brand={t('brand')}>{t('cz_activate_title')}</PageHeading>
      {done ? (
        <Activated />
      ) : draft.challenge ? (
        <CompleteForm
          draft={draft}
          setDraft={setDraft}
          onDone={() => {
            clearDraft();
            setDone(true);
          }}
        />
      ) : (
        <StartForm draft={draft} setDraft={setDraft} />
      )}
    </>
  );
}

function StartForm({ draft, setDraft }: { draft: Draft; setDraft(d: Draft): void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const action = useFormAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const identifier = draft.identifier.trim();
    if (!identifier) return action.fail({ identifier: t('cz_identifier_required') });
    const challenge = await action.run(() => api.post<Challenge>('/api/v1/public/activation/start', { identifier }));
    if (challenge) setDraft({ ...draft, identifier, challenge });
  }
  return (
    <form className="panel" onSubmit={submit} noValidate>
      <ErrorSummary items={action.summary} />
      <p>{t('cz_activate_intro')}</p>
      <TextField
        id="identifier"
        label={t('cz_identifier_label')}
        hint={t('cz_identifier_hint')}
        error={action.fields.identifier}
        autoComplete="username"
        inputMode="text"
        maxLength={64}
        value={draft.identifier}
        onChange={(e) => setDraft({ ...draft, identifier: e.target.value })}
      />
      <button type="submit" disabled={action.busy}>
        {t('cz_activate_send_code')}
      </button>
      {action.busy && <Progress label={t('cz_sending_code')} />}
      <p className="hint">{t('cz_activate_period')}</p>
    </form>
  );
}

function CompleteForm({ draft, setDraft, onDone }: { draft: Draft; setDraft(d: Draft): void; onDone(): void }) {
  const { t, dateTime } = useI18n();
  const { api } = useAuth();
  const action = useFormAction();
  const resend = useFormAction();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [passcode, setPasscode] = useState('');
  const [passcode2, setPasscode2] = useState('');
  const [resent, setResent] = useState(false);
  const challenge = draft.challenge!;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const wrong: FieldErrors = {};
    if (!/^\d{6}$/.test(code.trim())) wrong.code = t('cz_code_format');
    const broken = RULE_KEYS.filter((r) => !RULES[r](password));
    if (broken.length > 0) wrong.password = t('cz_pw_broken', { rules: broken.map((r) => ruleText(r, t)).join('; ') });
    else if (password !== password2) wrong.password2 = t('cz_pw_mismatch');
    const passcodeWrong = passcodeError(passcode, t);
    if (passcodeWrong) wrong.passcode = passcodeWrong;
    else if (passcode !== passcode2) wrong.passcode2 = t('cz_passcode_mismatch');
    const deviceName = draft.deviceName.trim() || t('cz_device_default');
    if (deviceName.length > 100) wrong.device_name = t('field_too_long', { n: 100 });
    if (Object.keys(wrong).length > 0) return action.fail(wrong);
    const result = await action.run(() =>
      api.post('/api/v1/public/activation/complete', {
        identifier: draft.identifier,
        challenge_id: challenge.challenge_id,
        code: code.trim(),
        password,
        passcode,
        device_name: deviceName,
      }),
    );
    setCode('');
    if (result) onDone();
  }

  async function sendAgain() {
    setResent(false);
    const fresh = await resend.run(() =>
      api.post<Challenge>('/api/v1/public/activation/start', { identifier: draft.identifier }),
    );
    if (fresh) {
      setDraft({ ...draft, challenge: fresh });
      setResent(true);
    }
  }

  return (
    <form className="panel" onSubmit={submit} noValidate>
      <ErrorSummary items={[...action.summary, ...resend.summary]} />
      <p className="notice" role="status">
        {t('cz_code_sent', { phone: challenge.masked_phone, time: dateTime(challenge.expires_at) })}
      </p>
      {resent && (
        <p className="success" role="status">
          {t('cz_code_resent')}
        </p>
      )}
      <TextField
        id="code"
        label={t('cz_code_label')}
        hint={t('cz_code_hint')}
        error={action.fields.code}
        autoComplete="one-time-code"
        inputMode="numeric"
        maxLength={6}
        className="input-short"
        value={code}
        onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
      />
      <div className="actions">
        <button type="button" className="button-secondary button-small" onClick={sendAgain} disabled={resend.busy}>
          {t('cz_code_resend')}
        </button>
        <button
          type="button"
          className="link-button"
          onClick={() => setDraft({ ...draft, challenge: null })}
          disabled={action.busy}
        >
          {t('cz_change_identifier')}
        </button>
      </div>

      <h2>{t('cz_password_title')}</h2>
      <PasswordRules password={password} />
      <TextField
        id="password"
        label={t('cz_password_label')}
        error={action.fields.password}
        type="password"
        autoComplete="new-password"
        maxLength={64}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-describedby={action.fields.password ? 'password-rules password-error' : 'password-rules'}
      />
      <TextField
        id="password2"
        label={t('cz_password2_label')}
        error={action.fields.password2}
        type="password"
        autoComplete="new-password"
        maxLength={64}
        value={password2}
        onChange={(e) => setPassword2(e.target.value)}
      />

      <h2>{t('cz_passcode_title')}</h2>
      <TextField
        id="passcode"
        label={t('cz_passcode_new_label')}
        hint={t('cz_passcode_new_hint')}
        error={action.fields.passcode}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={6}
        className="input-short"
        value={passcode}
        onChange={(e) => setPasscode(e.target.value.replace(/\D/g, ''))}
      />
      <TextField
        id="passcode2"
        label={t('cz_passcode2_label')}
        error={action.fields.passcode2}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={6}
        className="input-short"
        value={passcode2}
        onChange={(e) => setPasscode2(e.target.value.replace(/\D/g, ''))}
      />

      <h2>{t('cz_device_title')}</h2>
      <TextField
        id="device_name"
        label={t('cz_device_label')}
        hint={`${t('cz_device_hint')} ${t('draft_kept')}`}
        error={action.fields.device_name}
        maxLength={100}
        placeholder={t('cz_device_default')}
        value={draft.deviceName}
        onChange={(e) => setDraft({ ...draft, deviceName: e.target.value })}
      />
      <button type="submit" disabled={action.busy}>
        {t('cz_activate_submit')}
      </button>
      {action.busy && <Progress label={t('cz_activating')} />}
    </form>
  );
}

/** The rules, each marked met or not as the person types (words, not only a colour). */
function PasswordRules({ password }: { password: string }) {
  const { t } = useI18n();
  return (
    <div id="password-rules">
      <p>{t('cz_pw_rules_intro')}</p>
      <ul className="rules">
        {RULE_KEYS.map((rule) => {
          const met = password !== '' && RULES[rule](password);
          return (
            <li key={rule} className={met ? 'rule-met' : 'rule-unmet'}>
              <span aria-hidden="true">{met ? '✓' : '•'}</span> {ruleText(rule, t)}
              <span className="visually-hidden"> – {met ? t('cz_pw_rule_met') : t('cz_pw_rule_unmet')}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function Activated() {
  const { t } = useI18n();
  const auth = useAuth();
  const [leaving, setLeaving] = useState(false);
  return (
    <div className="panel">
      <p className="success" role="status">
        {t('cz_activated')}
      </p>
      <p>{t('cz_activated_next')}</p>
      {auth.session ? (
        <Link to="/">{t('back_home')}</Link>
      ) : (
        <button
          type="button"
          onClick={() => {
            setLeaving(true);
            auth.signIn('/');
          }}
          disabled={leaving}
        >
          {t('sign_in')}
        </button>
      )}
      {leaving && <Progress label={t('signing_in')} />}
    </div>
  );
}
