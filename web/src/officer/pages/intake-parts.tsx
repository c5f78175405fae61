import { useEffect, useRef } from 'react';
import { TextArea } from '../../shared/forms.tsx';
import { Progress } from '../../shared/progress.tsx';
import { FingerprintUploads, PortraitCapture, type Capture } from '../capture.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { Link } from '../../shared/router.tsx';
import { Facts } from '../forms.tsx';
import { ChecksView, ReceiptButton } from '../parts.tsx';
import type { OfficerApplication } from '../types.ts';

/** What every counter intake shows: the application received, its checks, the receipt. */

/** One document per line, empty lines dropped (the API takes a list of names). */
export function documentsOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 30);
}

/** The officer holds no role here that allows this page. */
export function NoUnit({ brand, title }: { brand: string; title: string }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeading brand={brand}>{title}</PageHeading>
      <p className="notice notice-warning">{t('role_missing')}</p>
    </>
  );
}

export function IntakeResult({ application: app, onAnother }: { application: OfficerApplication; onAnother(): void }) {
  const { t, date, dateTime } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const refused = app.state === 'rejected';
  return (
    <section className="panel" aria-labelledby="result-title">
      <h2 id="result-title" tabIndex={-1} ref={heading}>
        {t('intake_result_title', { number: app.number })}
      </h2>
      <p className={refused ? 'notice notice-warning' : 'success'} role="status">
        {t('intake_result_state', { state: enumLabel('state', app.state, t) })}
      </p>
      <Facts
        items={[
          [t('col_number'), app.number],
          [t('col_procedure'), app.procedure_name],
          [t('col_subject'), app.subject_name],
          [t('col_state'), enumLabel('state', app.state, t)],
          [t('col_received'), app.received_at ? dateTime(app.received_at) : undefined],
          [t('off_appointment'), app.due_on ? date(app.due_on) : undefined],
        ]}
      />
      {app.reasons && app.reasons.length > 0 && (
        <>
          <h3>{t('off_reasons_title')}</h3>
          <ul>
            {app.reasons.map((r) => (
              <li key={`${r.code}-${r.field ?? ''}`}>{r.message}</li>
            ))}
          </ul>
        </>
      )}
      {app.checks && (
        <>
          <h3>{t('off_checks_title')}</h3>
          <ChecksView checks={app.checks} />
        </>
      )}
      <div className="actions">
        {app.received_at && app.due_at && <ReceiptButton applicationId={app.id} />}
        <Link className="button button-secondary" to={`/officer/applications/${app.id}`}>
          {t('open_application')}
        </Link>
        <button type="button" className="button-secondary" onClick={onAnother}>
          {t('intake_another')}
        </button>
      </div>
    </section>
  );
}

/** The counter's captures: the portrait (camera or file) and the fingerprints by ISO position. */
export function BiometricCaptures(props: {
  face: Capture | undefined;
  fingers: (Capture | undefined)[];
  errors: { face?: string | undefined; fingerprints?: string | undefined };
  onFace(capture: Capture | undefined): void;
  onFingers(next: (Capture | undefined)[]): void;
}) {
  return (
    <>
      <PortraitCapture value={props.face} error={props.errors.face} onChange={props.onFace} />
      <FingerprintUploads value={props.fingers} error={props.errors.fingerprints} onChange={props.onFingers} />
    </>
  );
}

/** The end of every intake form: documents received, a note, the draft reminder, send and progress. */
export function DossierEnd(props: {
  documents: string;
  note: string;
  errors: { documents?: string | undefined; note?: string | undefined };
  busy: boolean;
  onEdit(patch: { documents?: string; note?: string }): void;
  draftHint?: string;
  progress?: string;
}) {
  const { t } = useI18n();
  return (
    <>
      <TextArea
        id="documents"
        label={t('intake_documents')}
        hint={t('intake_documents_hint')}
        error={props.errors.documents}
        value={props.documents}
        onChange={(e) => props.onEdit({ documents: e.target.value })}
      />
      <TextArea
        id="note"
        label={t('intake_note')}
        error={props.errors.note}
        value={props.note}
        maxLength={1000}
        onChange={(e) => props.onEdit({ note: e.target.value })}
      />
      <p className="hint">{props.draftHint ?? t('intake_draft_hint')}</p>
      <div className="actions">
        <button type="submit" disabled={props.busy}>
          {t('intake_submit')}
        </button>
      </div>
      {props.busy && <Progress label={props.progress ?? t('intake_verifying')} />}
    </>
  );
}
