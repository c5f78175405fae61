import { useAuth } from '../../shared/auth.tsx';
import { ErrorSummary } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';
import { useResource } from '../../shared/use-resource.ts';
import { ApplicationFacts, OPEN_STATES } from '../components/application-view.tsx';
import { useFormAction } from '../form-action.ts';
import type { Application } from '../types.ts';

/**
 * The signed-in person's applications: those they filed (for a child, an organisation) and the one
 * that made their account, newest first, each with its state and legal deadline; an open one can be
 * withdrawn.
 */
export function ApplicationsPage() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const list = useResource(
    (signal) => api.get<{ applications: Application[] }>('/api/v1/app/applications', { signal }),
    [api, lang],
  );
  return (
    <>
      <PageHeading brand={t('brand')}>{t('cz_apps_title')}</PageHeading>
      <p>
        {t('cz_apps_intro')} <Link to="/track">{t('cz_track_link')}</Link>
      </p>
      {list.loading && !list.data && <Progress />}
      {list.error ? <LoadError error={list.error} retry={list.reload} /> : null}
      {list.data &&
        (list.data.applications.length === 0 ? (
          <p className="panel">{t('cz_apps_empty')}</p>
        ) : (
          <ul className="cards">
            {sortNewest(list.data.applications).map((a) => (
              <li key={a.id}>
                <ApplicationCard application={a} onChange={list.reload} />
              </li>
            ))}
          </ul>
        ))}
    </>
  );
}

function sortNewest(list: Application[]): Application[] {
  return [...list].sort((a, b) => (b.received_at ?? '').localeCompare(a.received_at ?? ''));
}

function ApplicationCard({ application, onChange }: { application: Application; onChange(): void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const action = useFormAction();
  const open = OPEN_STATES.includes(application.state);
  async function withdraw() {
    if (!window.confirm(t('cz_withdraw_confirm', { number: application.number }))) return;
    const done = await action.run(() =>
      api.post(`/api/v1/app/applications/${application.id}/withdraw`, { version: application.version }),
    );
    if (done) onChange();
  }
  return (
    <article className="panel" aria-labelledby={`app-${application.id}`}>
      <h2 id={`app-${application.id}`}>
        {application.procedure_name} – {application.subject_name}
      </h2>
      <ErrorSummary items={action.summary} />
      <ApplicationFacts application={application} />
      {open && application.procedure !== 'citizen_l1_app' && (
        <button type="button" className="button-secondary button-small" onClick={withdraw} disabled={action.busy}>
          {t('cz_withdraw')}
        </button>
      )}
    </article>
  );
}
