import { useState, type FormEvent } from 'react';
import { ErrorSummary } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useResource } from '../../shared/use-resource.ts';
import { BarChart } from '../chart.tsx';
import { InputField, useOfficerAction } from '../forms.tsx';
import { useOfficerApi } from '../http.ts';
import type { ReportRow } from '../types.ts';

/**
 * Applications and on-time rates per unit (those the officer may read), for applications created in
 * a period: decided, decided within the legal deadline, still open, open and overdue. Two charts
 * drawn in SVG, each with the same figures in a table (the accessible alternative, and what a
 * screen reader reads).
 */

/** Today in Vietnam, 'YYYY-MM-DD'. */
function vnToday(): string {
  return new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
}

const startOfVnDay = (civil: string) => new Date(`${civil}T00:00:00+07:00`).toISOString();
const endOfVnDay = (civil: string) =>
  new Date(new Date(`${civil}T00:00:00+07:00`).getTime() + 86_400_000).toISOString();

export function ReportPage({ brand }: { brand: string }) {
  const { t, lang, date } = useI18n();
  const api = useOfficerApi();
  const [draft, setDraft] = useDraft('report', { from: `${vnToday().slice(0, 4)}-01-01`, to: vnToday() });
  const [period, setPeriod] = useState(draft);
  const check = useOfficerAction();
  const report = useResource(
    (signal) =>
      api.get<{ units: ReportRow[] }>(
        `/api/v1/officer/reports/on-time?from=${encodeURIComponent(startOfVnDay(period.from))}&to=${encodeURIComponent(endOfVnDay(period.to))}`,
        { signal },
      ),
    [api, period.from, period.to, lang],
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.from)) problems.from = t('missing_field', { field: t('report_from') });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.to)) problems.to = t('missing_field', { field: t('report_to') });
    else if (draft.from > draft.to) problems.to = t('report_to_before_from');
    if (Object.keys(problems).length > 0) {
      check.fail(problems);
      return;
    }
    check.fail({});
    setPeriod(draft);
  }

  const rows = [...(report.data?.units ?? [])].sort((a, b) => (a.unit_code ?? '').localeCompare(b.unit_code ?? ''));
  const name = (r: ReportRow) => r.unit_name ?? r.unit_code ?? r.unit_id;
  const short = (r: ReportRow) => r.unit_code ?? r.unit_id.slice(0, 8);
  const rate = (r: ReportRow) => (r.on_time_rate === null ? null : Math.round(r.on_time_rate * 1000) / 10);
  const total = rows.reduce(
    (acc, r) => ({
      decided: acc.decided + r.decided,
      on_time: acc.on_time + r.on_time,
      open: acc.open + r.open,
      open_overdue: acc.open_overdue + r.open_overdue,
    }),
    { decided: 0, on_time: 0, open: 0, open_overdue: 0 },
  );
  const percent = (n: number | null) => (n === null ? '—' : `${n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB')} %`);

  return (
    <>
      <PageHeading brand={brand}>{t('report_title')}</PageHeading>
      <p>{t('report_intro')}</p>
      <form className="panel period" onSubmit={submit} noValidate>
        <ErrorSummary items={check.summary} />
        <div className="period-fields">
          <InputField
            id="from"
            type="date"
            label={t('report_from')}
            error={check.fields.from}
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
          <InputField
            id="to"
            type="date"
            label={t('report_to')}
            error={check.fields.to}
            value={draft.to}
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          />
        </div>
        <div className="actions">
          <button type="submit">{t('report_show')}</button>
        </div>
      </form>
      {report.loading && <Progress label={t('report_loading')} />}
      {report.error ? <LoadError error={report.error} retry={report.reload} /> : null}
      {report.data && (
        <>
          <p role="status">
            {t('report_period', { from: date(period.from), to: date(period.to) })}{' '}
            {t('report_totals', {
              decided: total.decided,
              on_time: total.on_time,
              open: total.open,
              overdue: total.open_overdue,
            })}
          </p>
          {rows.length === 0 ? (
            <p className="panel">{t('report_empty')}</p>
          ) : (
            <>
              <section className="panel" aria-labelledby="chart-rate-title">
                <h2 id="chart-rate-title">{t('report_chart_rate')}</h2>
                <BarChart
                  id="chart-rate"
                  title={t('report_chart_rate')}
                  description={t('report_chart_rate_desc')}
                  max={100}
                  unit="%"
                  categories={rows.map((r) => ({ key: r.unit_id, label: short(r) }))}
                  series={[
                    { key: 'rate', label: t('report_on_time_rate'), className: 'series-rate', values: rows.map(rate) },
                  ]}
                />
              </section>
              <section className="panel" aria-labelledby="chart-count-title">
                <h2 id="chart-count-title">{t('report_chart_counts')}</h2>
                <BarChart
                  id="chart-count"
                  title={t('report_chart_counts')}
                  description={t('report_chart_counts_desc')}
                  categories={rows.map((r) => ({ key: r.unit_id, label: short(r) }))}
                  series={[
                    {
                      key: 'decided',
                      label: t('report_decided'),
                      className: 'series-decided',
                      values: rows.map((r) => r.decided),
                    },
                    {
                      key: 'on_time',
                      label: t('report_on_time'),
                      className: 'series-on-time',
                      values: rows.map((r) => r.on_time),
                    },
                    { key: 'open', label: t('report_open'), className: 'series-open', values: rows.map((r) => r.open) },
                    {
                      key: 'open_overdue',
                      label: t('report_open_overdue'),
                      className: 'series-overdue',
                      values: rows.map((r) => r.open_overdue),
                    },
                  ]}
                />
              </section>
              <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="report-caption">
                <table>
                  <caption id="report-caption">{t('report_caption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('off_unit')}</th>
                      <th scope="col">{t('report_decided')}</th>
                      <th scope="col">{t('report_on_time')}</th>
                      <th scope="col">{t('report_on_time_rate')}</th>
                      <th scope="col">{t('report_open')}</th>
                      <th scope="col">{t('report_open_overdue')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.unit_id} className={r.open_overdue > 0 ? 'overdue' : undefined}>
                        <th scope="row">
                          {name(r)} <span className="hint">({short(r)})</span>
                        </th>
                        <td>{r.decided}</td>
                        <td>{r.on_time}</td>
                        <td>{percent(rate(r))}</td>
                        <td>{r.open}</td>
                        <td>{r.open_overdue}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row">{t('report_total')}</th>
                      <td>{total.decided}</td>
                      <td>{total.on_time}</td>
                      <td>{percent(total.decided ? Math.round((total.on_time / total.decided) * 1000) / 10 : null)}</td>
                      <td>{total.open}</td>
                      <td>{total.open_overdue}</td>
                    </tr>
                  </tfoot>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </>
  );
}
