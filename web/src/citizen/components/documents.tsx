import { useState, type FormEvent } from 'react';
import { ApiError } from '../../shared/api.ts';
import { useAuth } from '../../shared/auth.tsx';
import { ErrorSummary } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useResource } from '../../shared/use-resource.ts';
import { apiDelete } from '../api-delete.ts';
import { useFormAction } from '../form-action.ts';
import type { IntegratedDocument } from '../types.ts';

/**
 * Documents integrated into the electronic identity card at the holder's request (Decree 69/2024
 * Art 15): each read again from its national database at every view. They need the card's proof
 * (the passcode), like the card itself.
 */

const KINDS = ['driving_licence', 'health_insurance'] as const;

function proofEnded(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'EID_PROOF_INVALID' || error.code === 'EID_PASSCODE_REQUIRED');
}

export function Documents({ proof, onProofEnded }: { proof: string; onProofEnded(message: string): void }) {
  const { t, lang } = useI18n();
  const { api, session } = useAuth();
  const headers = { 'x-eid-proof': proof };
  const list = useResource(
    (signal) =>
      api.get<{ documents: IntegratedDocument[] }>('/api/v1/app/eid/documents', { signal, headers }).catch((e) => {
        if (proofEnded(e)) onProofEnded((e as ApiError).message);
        throw e;
      }),
    [api, lang, proof],
  );
  const add = useFormAction();
  const remove = useFormAction();
  const [kind, setKind] = useState<(typeof KINDS)[number]>('health_insurance');
  const [done, setDone] = useState<string | undefined>();
  const integrated = new Set(list.data?.documents.map((d) => d.kind));
  const missing = KINDS.filter((k) => !integrated.has(k));

  async function integrate(event: FormEvent) {
    event.preventDefault();
    setDone(undefined);
    const chosen = missing.includes(kind) ? kind : missing[0]!;
    const added = await add.run(async () => {
      try {
        return await api.post<IntegratedDocument>('/api/v1/app/eid/documents', { kind: chosen }, { headers });
      } catch (error) {
        if (proofEnded(error)) onProofEnded((error as ApiError).message);
        throw error;
      }
    });
    if (added) {
      setDone(t('cz_doc_added', { kind: enumLabel('cz_doc', chosen, t) }));
      list.reload();
    }
  }

  async function drop(k: IntegratedDocument['kind']) {
    if (!window.confirm(t('cz_doc_remove_confirm', { kind: enumLabel('cz_doc', k, t) }))) return;
    setDone(undefined);
    const removed = await remove.run(async () => {
      await apiDelete(`/api/v1/app/eid/documents/${k}`, { token: session?.accessToken, headers });
      return true;
    });
    if (removed) {
      setDone(t('cz_doc_removed', { kind: enumLabel('cz_doc', k, t) }));
      list.reload();
    }
  }

  return (
    <section className="panel" aria-labelledby="documents-title">
      <h2 id="documents-title">{t('cz_docs_title')}</h2>
      <p>{t('cz_docs_intro')}</p>
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
      <ErrorSummary items={[...add.summary, ...remove.summary]} />
      {list.loading && !list.data && <Progress />}
      {list.error ? <LoadError error={list.error} retry={list.reload} /> : null}
      {list.data &&
        (list.data.documents.length === 0 ? (
          <p>{t('cz_docs_none')}</p>
        ) : (
          <ul className="cards">
            {list.data.documents.map((d) => (
              <li key={d.kind}>
                <DocumentView document={d} />
                <button
                  type="button"
                  className="button-secondary button-small"
                  onClick={() => drop(d.kind)}
                  disabled={remove.busy}
                >
                  {t('cz_doc_remove', { kind: enumLabel('cz_doc', d.kind, t) })}
                </button>
              </li>
            ))}
          </ul>
        ))}
      {list.data && missing.length > 0 && (
        <form onSubmit={integrate} noValidate>
          <div className="field">
            <label htmlFor="doc-kind">{t('cz_doc_kind')}</label>
            <select
              id="doc-kind"
              value={missing.includes(kind) ? kind : missing[0]}
              onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}
            >
              {missing.map((k) => (
                <option key={k} value={k}>
                  {enumLabel('cz_doc', k, t)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={add.busy}>
            {t('cz_doc_add')}
          </button>
          {add.busy && <Progress label={t('cz_doc_adding')} />}
        </form>
      )}
    </section>
  );
}

function DocumentView({ document: d }: { document: IntegratedDocument }) {
  const { t, date } = useI18n();
  const title = enumLabel('cz_doc', d.kind, t);
  return (
    <article aria-label={title}>
      <h3>{title}</h3>
      {!d.in_registry && <p className="notice notice-warning">{t('cz_doc_gone')}</p>}
      <dl className="facts">
        {d.driving_licence && (
          <>
            <dt>{t('cz_doc_number')}</dt>
            <dd>{d.driving_licence.number}</dd>
            <dt>{t('cz_doc_classes')}</dt>
            <dd>
              {d.driving_licence.categories
                .map((c) =>
                  c.expires_on
                    ? t('cz_doc_class_until', { class: c.class, date: date(c.expires_on) })
                    : t('cz_doc_class_forever', { class: c.class }),
                )
                .join('; ')}
            </dd>
            <dt>{t('cz_doc_authority')}</dt>
            <dd>{d.driving_licence.issuing_authority}</dd>
          </>
        )}
        {d.health_insurance && (
          <>
            <dt>{t('cz_doc_insurance_number')}</dt>
            <dd>{d.health_insurance.number}</dd>
            <dt>{t('cz_doc_card_code')}</dt>
            <dd>{d.health_insurance.card_code}</dd>
            <dt>{t('cz_doc_facility')}</dt>
            <dd>{d.health_insurance.primary_care_facility}</dd>
            <dt>{t('cz_doc_valid')}</dt>
            <dd>
              {date(d.health_insurance.valid_from)} – {date(d.health_insurance.valid_to)}
            </dd>
          </>
        )}
        {!d.driving_licence && !d.health_insurance && (
          <>
            <dt>{t('cz_doc_number')}</dt>
            <dd>{d.reference}</dd>
          </>
        )}
        <dt>{t('cz_doc_snapshot')}</dt>
        <dd>{date(d.snapshot_on)}</dd>
      </dl>
    </article>
  );
}
