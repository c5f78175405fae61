import { useAuth } from '../../shared/auth.tsx';
import { useI18n, type Translate } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';
import { useResource } from '../../shared/use-resource.ts';
import type { QueueEntry } from '../types.ts';

/**
 * The unit's open applications, soonest legal deadline first (Decree 69 Arts 10–14 set the
 * deadlines in working days; the server counts them on the holiday calendar). Overdue rows say so
 * in words, not by colour alone.
 */

/** Soonest deadline first; applications without one (not yet running) last. */
export function byDeadline(a: QueueEntry, b: QueueEntry): number {
  if (a.due_on === b.due_on) return (a.application.received_at ?? '').localeCompare(b.application.received_at ?? '');
  if (a.due_on === null) return 1;
  if (b.due_on === null) return -1;
  return a.due_on.localeCompare(b.due_on);
}

export function timeLeft(entry: Pick<QueueEntry, 'overdue' | 'working_days_left'>, t: Translate): string {
  const left = entry.working_days_left;
  if (entry.overdue) return left !== null && left < 0 ? t('overdue_by', { n: -left }) : t('overdue');
  if (left === null) return t('no_deadline');
  if (left === 0) return t('due_today');
  return t('days_left', { n: left });
}

export function rowClass(entry: Pick<QueueEntry, 'overdue' | 'working_days_left'>): string | undefined {
  if (entry.overdue) return 'overdue';
  if (entry.working_days_left !== null && entry.working_days_left <= 1) return 'due-soon';
  return undefined;
}

export function QueuePage({ brand }: { brand: string }) {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const queue = useResource(
    (signal) => api.get<{ entries: QueueEntry[] }>('/api/v1/officer/queue?limit=200', { signal }),
    [api, lang],
  );
  const entries = [...(queue.data?.entries ?? [])].sort(byDeadline);
  const overdue = entries.filter((e) => e.overdue).length;
  return (
    <>
      <PageHeading brand={brand}>{t('queue_title')}</PageHeading>
      <p>{t('queue_intro')}</p>
      <div className="actions">
        <button type="button" className="button-secondary" onClick={queue.reload} disabled={queue.loading}>
          {t('refresh')}
        </button>
      </div>
      {queue.loading && <Progress />}
      {queue.error ? <LoadError error={queue.error} retry={queue.reload} /> : null}
      {queue.data &&
        (entries.length === 0 ? (
          <p className="panel">{t('queue_empty')}</p>
        ) : (
          <>
            <p role="status">{t('queue_count', { n: entries.length, overdue })}</p>
            <QueueTable entries={entries} />
          </>
        ))}
    </>
  );
}

function QueueTable({ entries }: { entries: QueueEntry[] }) {
  const { t, date, dateTime } = useI18n();
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="queue-caption">
      <table>
        <caption id="queue-caption">{t('queue_caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('col_number')}</th>
            <th scope="col">{t('col_procedure')}</th>
            <th scope="col">{t('col_subject')}</th>
            <th scope="col">{t('col_state')}</th>
            <th scope="col">{t('col_received')}</th>
            <th scope="col">{t('col_due')}</th>
            <th scope="col">{t('col_left')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.application.id} className={rowClass(entry)}>
              <th scope="row">
                <Link to={`/officer/applications/${entry.application.id}`}>{entry.application.number}</Link>
              </th>
              <td>{entry.application.procedure_name}</td>
              <td>{entry.application.subject_name}</td>
              <td>{enumLabel('state', entry.application.state, t)}</td>
              <td>{entry.application.received_at ? dateTime(entry.application.received_at) : '—'}</td>
              <td>{entry.due_on ? date(entry.due_on) : '—'}</td>
              <td>
                {entry.overdue ? <strong className="left-overdue">{timeLeft(entry, t)}</strong> : timeLeft(entry, t)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
