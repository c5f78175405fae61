import { useState, type FormEvent } from 'react';
import { ApiError } from '../../shared/api.ts';
import { useAuth } from '../../shared/auth.tsx';
import { ErrorSummary, PasscodeField, passcodeError, useAction } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useNow } from '../../shared/use-now.ts';
import { Documents } from '../components/documents.tsx';
import type { Card, Presentation, Unlocked } from '../types.ts';

/**
 * The electronic identity card (level 2, docs/eid.md): nothing is read before the passcode. The
 * passcode gives a short-lived proof bound to this sign-in, kept in memory only, sent as
 * X-Eid-Proof to present the card as a signed QR code valid 2 minutes.
 */
export function CardPage() {
  const { t } = useI18n();
  const [unlocked, setUnlocked] = useState<Unlocked | undefined>();
  const [reason, setReason] = useState<string | undefined>();
  return (
    <>
      <PageHeading brand={t('brand')}>{t('card_title')}</PageHeading>
      {unlocked ? (
        <>
          <CardView card={unlocked.card} />
          <PresentCard
            proof={unlocked.proof}
            onProofEnded={(message) => {
              setReason(message);
              setUnlocked(undefined);
            }}
          />
          <Documents
            proof={unlocked.proof}
            onProofEnded={(message) => {
              setReason(message);
              setUnlocked(undefined);
            }}
          />
          <button type="button" className="button-secondary" onClick={() => setUnlocked(undefined)}>
            {t('card_close')}
          </button>
        </>
      ) : (
        <PasscodeForm
          reason={reason}
          onUnlocked={(u) => {
            setReason(undefined);
            setUnlocked(u);
          }}
        />
      )}
    </>
  );
}

function PasscodeForm({ reason, onUnlocked }: { reason: string | undefined; onUnlocked(u: Unlocked): void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const action = useAction();
  const [passcode, setPasscode] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    const wrong = passcodeError(passcode, t);
    if (wrong) return action.fail({ passcode: wrong });
    const result = await action.run(() => api.post<Unlocked>('/api/v1/app/eid/unlock', { passcode }));
    setPasscode('');
    if (result) onUnlocked(result);
  }
  return (
    <form className="panel" onSubmit={submit} noValidate>
      {reason && (
        <p className="notice notice-warning" role="status">
          {reason}
        </p>
      )}
      <ErrorSummary items={action.summary} />
      <p>{t('card_passcode_intro')}</p>
      <PasscodeField value={passcode} onChange={setPasscode} error={action.fields.passcode} />
      <button type="submit" disabled={action.busy}>
        {t('open_card')}
      </button>
      {action.busy && <Progress label={t('opening_card')} />}
    </form>
  );
}

function CardView({ card }: { card: Card }) {
  const { t, date, dateTime } = useI18n();
  const nationality = card.nationality === 'VNM' ? t('nationality_VNM') : card.nationality;
  return (
    <section className="eid-card" aria-labelledby="card-holder">
      <header>
        <img src="/icons/icon.svg" alt="" width="40" height="40" />
        <span>{t('card_level', { n: card.level })}</span>
      </header>
      <dl className="facts">
        <dt>{t('card_full_name')}</dt>
        <dd id="card-holder">{card.full_name}</dd>
        <dt>{t('card_pin')}</dt>
        <dd>{card.pin}</dd>
        <dt>{t('card_dob')}</dt>
        <dd>{date(card.date_of_birth)}</dd>
        <dt>{t('card_sex')}</dt>
        <dd>{enumLabel('sex', card.sex, t)}</dd>
        <dt>{t('card_nationality')}</dt>
        <dd>{nationality}</dd>
        <dt>{t('card_birth_registration')}</dt>
        <dd>{card.place_of_birth_registration.name}</dd>
        <dt>{t('card_residence')}</dt>
        <dd>{card.residence}</dd>
        {card.id_card && (
          <>
            <dt>{t('card_id_number')}</dt>
            <dd>{card.id_card.number}</dd>
            <dt>{t('card_issued')}</dt>
            <dd>{date(card.id_card.issued_on)}</dd>
            <dt>{t('card_expires')}</dt>
            <dd>{card.id_card.expires_on ? date(card.id_card.expires_on) : t('card_no_expiry')}</dd>
          </>
        )}
      </dl>
      <p className="hint">{t('card_read_at', { time: dateTime(card.read_at) })}</p>
    </section>
  );
}

/** The card's proof is over (expired, or another sign-in): ask the passcode again. */
function proofEnded(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'EID_PROOF_INVALID' || error.code === 'EID_PASSCODE_REQUIRED');
}

function PresentCard({ proof, onProofEnded }: { proof: string; onProofEnded(message: string): void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const action = useAction();
  const [presentation, setPresentation] = useState<Presentation | undefined>();
  async function present(purpose: 'full' | 'age_over_18') {
    setPresentation(undefined);
    const result = await action.run(async () => {
      try {
        return await api.post<Presentation>(
          '/api/v1/app/eid/presentations',
          { purpose },
          { headers: { 'x-eid-proof': proof } },
        );
      } catch (error) {
        if (proofEnded(error)) onProofEnded((error as ApiError).message);
        throw error;
      }
    });
    if (result) setPresentation(result);
  }
  return (
    <section className="panel" aria-labelledby="present-title">
      <h2 id="present-title">{t('present_title')}</h2>
      <p>{t('present_intro')}</p>
      <ErrorSummary items={action.summary} />
      <div className="actions">
        <button type="button" onClick={() => present('full')} disabled={action.busy}>
          {t('present_full')}
        </button>
        <button
          type="button"
          className="button-secondary"
          onClick={() => present('age_over_18')}
          disabled={action.busy}
        >
          {t('present_age')}
        </button>
      </div>
      {action.busy && <Progress label={t('creating_qr')} />}
      {presentation && <QrCode presentation={presentation} />}
    </section>
  );
}

function QrCode({ presentation }: { presentation: Presentation }) {
  const { t, dateTime } = useI18n();
  const expiresAt = Date.parse(presentation.expires_at);
  const now = useNow(true);
  const seconds = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  if (seconds === 0) {
    return (
      <p className="notice notice-warning" role="status">
        {t('qr_expired')}
      </p>
    );
  }
  return (
    <figure className="qr">
      <img src={presentation.qr_png} alt={t('qr_alt', { time: dateTime(presentation.expires_at) })} />
      <figcaption>{t('qr_expires', { seconds })}</figcaption>
    </figure>
  );
}
