import { useAuth } from '../../shared/auth.tsx';
import { useI18n, type Translate } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useResource } from '../../shared/use-resource.ts';
import type { HistoryEntry } from '../types.ts';
import { claimLabel } from './consents.tsx';

/**
 * Who used my identity (Decree 69 Art 9; Law 91/2025; DOMAIN.md §9): sign-ins to services, data
 * released with the claims named, the card shown, and every read of my record by an official,
 * shown by the unit they acted for and the purpose (never the officer's name).
 */

type Category = 'all' | 'login' | 'data' | 'officer' | 'other';
const CATEGORIES: Category[] = ['all', 'login', 'data', 'officer', 'other'];

function categoryOf(e: HistoryEntry): Exclude<Category, 'all'> {
  if (e.actor.kind === 'officer' || e.action.startsWith('officer.')) return 'officer';
  if (e.claims.length > 0 || e.action === 'oidc.claims.released' || e.action.startsWith('eid.presentation')) {
    return 'data';
  }
  if (/^(oidc\.(login|authorization|token|session|consent)|auth\.)/.test(e.action)) return 'login';
  return 'other';
}

/** `oidc.login.success` → its words, or the code itself when none is known. */
function actionLabel(action: string, t: Translate): string {
  return enumLabel('cz_act', action.replace(/\./g, '_'), t);
}

export function HistoryPage() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const [category, setCategory] = useDraft<Category>('history:category', 'all');
  const list = useResource(
    (signal) => api.get<{ entries: HistoryEntry[] }>('/api/v1/app/history?limit=200', { signal }),
    [api, lang],
  );
  const entries = list.data?.entries.filter((e) => category === 'all' || categoryOf(e) === category) ?? [];
  return (
    <>
      <PageHeading brand={t('brand')}>{t('cz_history_title')}</PageHeading>
      <p>{t('cz_history_intro')}</p>
      <div className="panel">
        <div className="field">
          <label htmlFor="category">{t('cz_history_filter')}</label>
          <select id="category" value={category} onChange={(e) => setCategory(e.target.value as Category)}>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {enumLabel('cz_hcat', c, t)}
              </option>
            ))}
          </select>
        </div>
        {list.loading && !list.data && <Progress />}
        {list.error ? <LoadError error={list.error} retry={list.reload} /> : null}
        {list.data && (
          <>
            <p role="status">{t('cz_history_count', { n: entries.length })}</p>
            {entries.length > 0 && (
              <ol className="history">
                {entries.map((e, i) => (
                  <li key={`${e.at}:${e.action}:${i}`}>
                    <Entry entry={e} />
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </div>
    </>
  );
}

function Entry({ entry: e }: { entry: HistoryEntry }) {
  const { t, dateTime } = useI18n();
  const failed = e.outcome !== 'success';
  const officer = e.actor.kind === 'officer';
  return (
    <article className={failed ? 'history-entry history-failed' : 'history-entry'}>
      <h3>
        {officer ? t('cz_history_officer', { unit: e.actor.unit ?? t('cz_unit_unknown') }) : actionLabel(e.action, t)}
        {failed && <span className="badge badge-stop">{enumLabel('cz_outcome', e.outcome, t)}</span>}
      </h3>
      <time dateTime={e.at}>{dateTime(e.at)}</time>
      <dl className="facts">
        {officer && (
          <>
            <dt>{t('cz_history_what')}</dt>
            <dd>{actionLabel(e.action, t)}</dd>
          </>
        )}
        {e.purpose && (
          <>
            <dt>{t('cz_history_purpose')}</dt>
            <dd>{enumLabel('cz_purpose', e.purpose, t)}</dd>
          </>
        )}
        {e.relying_party && (
          <>
            <dt>{t('cz_history_service')}</dt>
            <dd>{e.relying_party.name}</dd>
          </>
        )}
        {e.level !== null && (
          <>
            <dt>{t('cz_history_level')}</dt>
            <dd>{t('level_n', { n: e.level })}</dd>
          </>
        )}
        {e.claims.length > 0 && (
          <>
            <dt>{t('cz_history_claims')}</dt>
            <dd>{e.claims.map((c) => claimLabel(c, t)).join(', ')}</dd>
          </>
        )}
      </dl>
    </article>
  );
}
