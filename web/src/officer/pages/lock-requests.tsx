import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';
import { useResource } from '../../shared/use-resource.ts';
import { useOfficer } from '../context.tsx';
import { useOfficerApi } from '../http.ts';
import type { LockQueueEntry } from '../types.ts';
import { rowClass, timeLeft } from './queue.tsx';

/**
 * Open lock and unlock requests of the officer's units (TK03 from authorities, holders' unlock
 * requests), soonest legal deadline first: PC06 has 1 working day to forward, C06 2 to decide.
 * Overdue rows say so in words; an escalated one too.
 */
export function LockRequestsPage({ brand }: { brand: string }) {
  const { t, lang, date, dateTime } = useI18n();
  const api = useOfficerApi();
  const { roles } = useOfficer();
  const list = useResource(
    (signal) => api.get<{ entries: LockQueueEntry[] }>('/api/v1/officer/lock-requests?limit=200', { signal }),
    [api, lang],
  );
  const entries = list.data?.entries ?? [];
  const overdue = entries.filter((e) => e.overdue).length;
  return (
    <>
      <PageHeading brand={brand}>{t('lock_requests_title')}</PageHeading>
      <p>{t('lock_requests_intro')}</p>
      <div className="actions">
        <button type="button" className="button-secondary" onClick={list.reload} disabled={list.loading}>
          {t('refresh')}
        </button>
        {roles.has('RECEIVER') && (
          <Link className="button button-secondary" to="/officer/lock-requests/new">
            {t('nav_lock_intake')}
          </Link>
        )}
      </div>
      {list.loading && <Progress />}
      {list.error ? <LoadError error={list.error} retry={list.reload} /> : null}
      {list.data &&
        (entries.length === 0 ? (
          <p className="panel">{t('lock_requests_empty')}</p>
        ) : (
          <>
            <p role="status">{t('lock_requests_count', { n: entries.length, overdue })}</p>
            <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="locks-caption">
              <table>
                <caption id="locks-caption">{t('lock_requests_caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('col_number')}</th>
                    <th scope="col">{t('lock_action')}</th>
                    <th scope="col">{t('col_subject')}</th>
                    <th scope="col">{t('lock_requester')}</th>
                    <th scope="col">{t('col_state')}</th>
                    <th scope="col">{t('col_received')}</th>
                    <th scope="col">{t('col_due')}</th>
                    <th scope="col">{t('col_left')}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr key={e.request.id} className={rowClass(e)}>
                      <th scope="row">
                        <Link to={`/officer/lock-requests/${e.request.id}`}>{e.request.number}</Link>
                      </th>
                      <td>{enumLabel('lock_action', e.request.action, t)}</td>
                      <td>{e.request.subject_name}</td>
                      <td>{e.request.requester?.name ?? enumLabel('lock_kind', e.request.kind, t)}</td>
                      <td>
                        {enumLabel('state', e.request.state, t)}
                        {e.request.escalated ? ` (${t('off_escalated')})` : ''}
                      </td>
                      <td>{dateTime(e.request.received_at)}</td>
                      <td>{e.due_on ? date(e.due_on) : '—'}</td>
                      <td>{e.overdue ? <strong className="left-overdue">{timeLeft(e, t)}</strong> : timeLeft(e, t)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ))}
    </>
  );
}
