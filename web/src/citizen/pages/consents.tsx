import { useState } from 'react';
import { useAuth } from '../../shared/auth.tsx';
import { ErrorSummary } from '../../shared/forms.tsx';
import { useI18n, type Translate } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useResource } from '../../shared/use-resource.ts';
import { apiDelete } from '../api-delete.ts';
import { useFormAction } from '../form-action.ts';
import type { RelyingPartyConsent } from '../types.ts';

/**
 * Consents given to relying parties (Law 91/2025 on personal data; Decree 69 Art 19): which service
 * receives which data since when; withdrawing one revokes the service's tokens at once.
 */

/** A claim's name in words (the same words as the provider's consent page). */
export function claimLabel(claim: string, t: Translate): string {
  return enumLabel('cz_claim', claim, t);
}

export function ConsentsPage() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const list = useResource(
    (signal) => api.get<{ consents: RelyingPartyConsent[] }>('/api/v1/app/consents', { signal }),
    [api, lang],
  );
  const [withdrawn, setWithdrawn] = useState<string | undefined>();
  return (
    <>
      <PageHeading brand={t('brand')}>{t('cz_consents_title')}</PageHeading>
      <p>{t('cz_consents_intro')}</p>
      {withdrawn && (
        <p className="success" role="status">
          {t('cz_consent_withdrawn', { name: withdrawn })}
        </p>
      )}
      {list.loading && !list.data && <Progress />}
      {list.error ? <LoadError error={list.error} retry={list.reload} /> : null}
      {list.data &&
        (list.data.consents.length === 0 ? (
          <p className="panel">{t('cz_consents_none')}</p>
        ) : (
          <ul className="cards">
            {list.data.consents.map((c) => (
              <li key={c.client_id}>
                <ConsentItem
                  consent={c}
                  onWithdrawn={(name) => {
                    setWithdrawn(name);
                    list.reload();
                  }}
                />
              </li>
            ))}
          </ul>
        ))}
    </>
  );
}

function ConsentItem({ consent: c, onWithdrawn }: { consent: RelyingPartyConsent; onWithdrawn(name: string): void }) {
  const { t, lang, dateTime } = useI18n();
  const { session } = useAuth();
  const action = useFormAction();
  const name = lang === 'en' ? c.client_name_en || c.client_name : c.client_name;
  async function withdraw() {
    if (!window.confirm(t('cz_consent_withdraw_confirm', { name }))) return;
    const done = await action.run(async () => {
      await apiDelete(`/api/v1/app/consents/${encodeURIComponent(c.client_id)}`, { token: session?.accessToken });
      return true;
    });
    if (done) onWithdrawn(name);
  }
  return (
    <article className="panel" aria-labelledby={`consent-${c.client_id}`}>
      <h2 id={`consent-${c.client_id}`}>{name}</h2>
      <ErrorSummary items={action.summary} />
      <dl className="facts">
        <dt>{t('cz_rp_kind')}</dt>
        <dd>{enumLabel('cz_rp_kind', c.kind, t)}</dd>
        <dt>{t('cz_consent_since')}</dt>
        <dd>{dateTime(c.granted_at)}</dd>
      </dl>
      <h3>{t('cz_consent_claims')}</h3>
      {c.claims.length === 0 ? (
        <p>{t('cz_consent_identity_only')}</p>
      ) : (
        <ul>
          {c.claims.map((claim) => (
            <li key={claim}>{claimLabel(claim, t)}</li>
          ))}
        </ul>
      )}
      <button
        type="button"
        className="button-secondary"
        onClick={withdraw}
        disabled={action.busy}
        aria-describedby={`consent-${c.client_id}`}
      >
        {t('cz_consent_withdraw')}
      </button>
      {action.busy && <Progress label={t('sending')} />}
    </article>
  );
}
