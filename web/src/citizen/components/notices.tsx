import { useState } from 'react';
import { useAuth } from '../../shared/auth.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useResource } from '../../shared/use-resource.ts';
import type { Notice, NoticePage } from '../types.ts';

/**
 * The subject's notices (GET /api/v1/app/notices), newest first, unread marked "new"; also shown in
 * the locked view, where the lock and its ground are among them.
 */
export function NoticeList() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const [more, setMore] = useState<Notice[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const first = useResource(
    (signal) => {
      setMore([]);
      setNext(undefined);
      return api.get<NoticePage>('/api/v1/app/notices?limit=10', { signal });
    },
    [api, lang],
  );
  const [busy, setBusy] = useState(false);

  async function markAllRead() {
    setBusy(true);
    try {
      await api.post('/api/v1/app/notices/read', { all: true });
      first.reload();
    } finally {
      setBusy(false);
    }
  }

  async function loadMore() {
    const cursor = next === undefined ? first.data?.next : next;
    if (!cursor) return;
    setBusy(true);
    try {
      const page = await api.get<NoticePage>(`/api/v1/app/notices?limit=10&before=${encodeURIComponent(cursor)}`);
      setMore((m) => [...m, ...page.notices]);
      setNext(page.next);
    } finally {
      setBusy(false);
    }
  }

  if (first.loading && !first.data) return <Progress />;
  if (first.error) return <LoadError error={first.error} retry={first.reload} />;
  const page = first.data!;
  const notices = [...page.notices, ...more];
  const cursor = next === undefined ? page.next : next;
  return (
    <>
      <p>{t('notices_unread', { n: page.unread })}</p>
      {notices.length === 0 ? (
        <p>{t('notices_empty')}</p>
      ) : (
        <ul className="notices">
          {notices.map((n) => (
            <NoticeItem key={n.id} notice={n} />
          ))}
        </ul>
      )}
      <div className="actions">
        {cursor && (
          <button type="button" className="button-secondary" onClick={loadMore} disabled={busy}>
            {t('notices_more')}
          </button>
        )}
        {page.unread > 0 && (
          <button type="button" className="button-secondary" onClick={markAllRead} disabled={busy}>
            {t('notices_mark_read')}
          </button>
        )}
      </div>
      {busy && <Progress />}
    </>
  );
}

function NoticeItem({ notice }: { notice: Notice }) {
  const { t, dateTime } = useI18n();
  return (
    <li>
      <article>
        <h3>
          {notice.title}
          {!notice.read && <span className="badge">{t('notice_new')}</span>}
        </h3>
        <time dateTime={notice.created_at}>{dateTime(notice.created_at)}</time>
        <p>{notice.body}</p>
      </article>
    </li>
  );
}
