import { useState, type FormEvent } from 'react';
import { ErrorSummary, TextField } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useResource } from '../../shared/use-resource.ts';
import { useOfficer } from '../context.tsx';
import { InputField, SelectField, useOfficerAction } from '../forms.tsx';
import { useOfficerApi } from '../http.ts';
import type { Holiday } from '../types.ts';
import { NoUnit } from './intake-parts.tsx';

/**
 * The holiday calendar (administrators): the year's holidays, days off and make-up working days
 * that every legal deadline counts on. The rules of the Labour Code fill it; a government decision
 * (a swap, an extra day off) is entered here with its legal source. Each change names the version
 * it read, so two administrators never overwrite each other (409).
 */

const KINDS = ['holiday', 'day_off', 'makeup_workday'] as const;

interface Draft {
  date: string;
  kind: string;
  name_vi: string;
  name_en: string;
  legal_source: string;
  /** The version of the entry being edited; 0 for a new one. */
  expected_version: number;
}

const EMPTY: Draft = { date: '', kind: 'day_off', name_vi: '', name_en: '', legal_source: '', expected_version: 0 };

export function HolidaysPage({ brand }: { brand: string }) {
  const { t, lang, date } = useI18n();
  const api = useOfficerApi();
  const { roles } = useOfficer();
  const [year, setYear] = useState(() => new Date().getFullYear());
  const list = useResource(
    (signal) => api.get<{ year: number; holidays: Holiday[] }>(`/api/calendar/holidays?year=${year}`, { signal }),
    [api, year],
  );
  const [draft, setDraft, clearDraft] = useDraft<Draft>('holiday', EMPTY);
  const save = useOfficerAction();
  const remove = useOfficerAction();
  const [done, setDone] = useState<string | undefined>();
  if (!roles.has('ADMIN')) return <NoUnit brand={brand} title={t('holidays_title')} />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(undefined);
    const problems: Record<string, string> = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.date)) problems.date = t('missing_field', { field: t('col_date') });
    if (!draft.name_vi.trim()) problems.name_vi = t('missing_field', { field: t('holiday_name_vi') });
    if (!draft.name_en.trim()) problems.name_en = t('missing_field', { field: t('holiday_name_en') });
    if (!draft.legal_source.trim()) problems.legal_source = t('missing_field', { field: t('col_legal_source') });
    if (Object.keys(problems).length > 0) {
      save.fail(problems);
      return;
    }
    const saved = await save.run(() =>
      api.put<Holiday>(`/api/calendar/holidays/${draft.date}`, {
        kind: draft.kind,
        name_vi: draft.name_vi.trim(),
        name_en: draft.name_en.trim(),
        legal_source: draft.legal_source.trim(),
        expected_version: draft.expected_version,
      }),
    );
    if (saved) {
      setDone(t('holiday_saved', { date: date(saved.date) }));
      clearDraft();
      if (Number(saved.date.slice(0, 4)) !== year) setYear(Number(saved.date.slice(0, 4)));
      else list.reload();
    }
  }

  async function drop(h: Holiday) {
    setDone(undefined);
    if (!window.confirm(t('holiday_delete_confirm', { date: date(h.date) }))) return;
    const removed = await remove.run(() =>
      api.del<Holiday>(`/api/calendar/holidays/${h.date}${h.version ? `?expected_version=${h.version}` : ''}`),
    );
    if (removed) {
      setDone(t('holiday_deleted', { date: date(h.date) }));
      list.reload();
    }
  }

  function edit(h: Holiday) {
    setDone(undefined);
    setDraft({
      date: h.date,
      kind: h.kind,
      name_vi: h.name_vi,
      name_en: h.name_en,
      legal_source: h.legal_source,
      expected_version: h.version ?? 0,
    });
    document.getElementById('holiday-form-title')?.focus();
  }

  const holidays = list.data?.holidays ?? [];
  return (
    <>
      <PageHeading brand={brand}>{t('holidays_title')}</PageHeading>
      <p>{t('holidays_intro')}</p>
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
      <ErrorSummary items={remove.summary} />
      <div className="year-picker" role="group" aria-label={t('holidays_year_group')}>
        <button type="button" className="button-secondary" onClick={() => setYear(year - 1)}>
          {t('year_previous')}
        </button>
        <p aria-live="polite">
          <strong>{t('holidays_year', { year })}</strong>
        </p>
        <button type="button" className="button-secondary" onClick={() => setYear(year + 1)}>
          {t('year_next')}
        </button>
      </div>
      {list.loading && <Progress />}
      {list.error ? <LoadError error={list.error} retry={list.reload} /> : null}
      {list.data && (
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="holidays-caption">
          <table>
            <caption id="holidays-caption">{t('holidays_caption', { year })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('col_date')}</th>
                <th scope="col">{t('col_kind')}</th>
                <th scope="col">{t('col_name')}</th>
                <th scope="col">{t('col_legal_source')}</th>
                <th scope="col">{t('col_source')}</th>
                <th scope="col">{t('col_actions')}</th>
              </tr>
            </thead>
            <tbody>
              {holidays.map((h) => (
                <tr key={h.date}>
                  <th scope="row">{date(h.date)}</th>
                  <td>{enumLabel('holiday_kind', h.kind, t)}</td>
                  <td>{lang === 'en' ? h.name_en : h.name_vi}</td>
                  <td>{h.legal_source}</td>
                  <td>{enumLabel('holiday_source', h.source, t)}</td>
                  <td>
                    <div className="row-actions">
                      <button
                        type="button"
                        className="button-secondary button-row"
                        onClick={() => edit(h)}
                        aria-label={t('holiday_edit_label', { date: date(h.date) })}
                      >
                        {t('off_edit')}
                      </button>
                      {h.source === 'decision' && (
                        <button
                          type="button"
                          className="button-secondary button-row"
                          onClick={() => void drop(h)}
                          disabled={remove.busy}
                          aria-label={t('holiday_delete_label', { date: date(h.date) })}
                        >
                          {t('off_delete')}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form
        className="panel form-after-table"
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-labelledby="holiday-form-title"
      >
        <h2 id="holiday-form-title" tabIndex={-1}>
          {draft.expected_version > 0 ? t('holiday_edit_title', { date: draft.date }) : t('holiday_new_title')}
        </h2>
        <ErrorSummary items={save.summary} />
        <InputField
          id="date"
          type="date"
          label={t('col_date')}
          error={save.fields.date}
          value={draft.date}
          onChange={(e) => setDraft({ ...draft, date: e.target.value })}
        />
        <SelectField
          id="kind"
          label={t('col_kind')}
          error={save.fields.kind}
          value={draft.kind}
          options={KINDS.map((k) => ({ value: k, label: t(`holiday_kind_${k}`) }))}
          onChange={(e) => setDraft({ ...draft, kind: e.target.value })}
        />
        <TextField
          id="name_vi"
          label={t('holiday_name_vi')}
          error={save.fields.name_vi}
          maxLength={200}
          lang="vi"
          value={draft.name_vi}
          onChange={(e) => setDraft({ ...draft, name_vi: e.target.value })}
        />
        <TextField
          id="name_en"
          label={t('holiday_name_en')}
          error={save.fields.name_en}
          maxLength={200}
          lang="en"
          value={draft.name_en}
          onChange={(e) => setDraft({ ...draft, name_en: e.target.value })}
        />
        <TextField
          id="legal_source"
          label={t('col_legal_source')}
          hint={t('legal_source_hint')}
          error={save.fields.legal_source}
          maxLength={500}
          value={draft.legal_source}
          onChange={(e) => setDraft({ ...draft, legal_source: e.target.value })}
        />
        <p className="hint">{t('draft_kept')}</p>
        <div className="actions">
          <button type="submit" disabled={save.busy}>
            {t('holiday_save')}
          </button>
          {draft.expected_version > 0 && (
            <button type="button" className="button-secondary" onClick={clearDraft}>
              {t('off_cancel')}
            </button>
          )}
        </div>
        {save.busy && <Progress label={t('sending')} />}
      </form>
    </>
  );
}
