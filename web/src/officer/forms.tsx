import { useCallback, useState, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { ApiError, errorMessage, fieldErrors } from '../shared/api.ts';
import {
  describedByOf,
  FieldFrame,
  type Action,
  type FieldErrors,
  type FieldProps,
  type SummaryItem,
} from '../shared/forms.tsx';
import { useI18n, type Translate } from '../shared/i18n.tsx';
import { enumLabel } from '../shared/labels.ts';

/**
 * The console's forms: the shared pattern (label, hint, the error next to the field, a summary that
 * links to each field) with what issuance adds. An intake's APPLICATION_INVALID lists every field at
 * fault in `errors` with a short English reason (`required`, a capture's quality codes…): each is
 * put in words next to its field here. Problems that concern the whole decision (MAKER_CHECKER,
 * CONFLICT) say what to do next.
 */

/** `representativePin` (the service's name) → `representative_pin` (the body's, and the field's id). */
function snake(name: string): string {
  return name.replace(/^(body|querystring|params)\./, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const QUALITY = /^[a-z_]+(, [a-z_]+)*$/;

/** An intake's English reason in the page's language. */
export function reasonWords(reason: string, t: Translate): string {
  if (reason === 'required') return t('field_required');
  if (reason === 'not a Vietnamese mobile number') return t('reason_phone');
  if (reason === 'not an e-mail address') return t('reason_email');
  if (reason.startsWith('not a date')) return t('reason_date');
  if (reason === 'not an image') return t('quality_not_an_image');
  if (/^longer than (\d+)/.test(reason)) return t('field_too_long', { n: Number(/\d+/.exec(reason)![0]) });
  if (/PIN|^digit/.test(reason)) return t('reason_pin', { why: reason });
  if (QUALITY.test(reason)) return qualityWords(reason.split(', '), t);
  return `${t('field_invalid')} (${reason})`;
}

/** Capture quality codes (src/biometrics: face and fingerprint) as a sentence. */
export function qualityWords(codes: readonly string[], t: Translate): string {
  return codes.map((c) => enumLabel('quality', c, t)).join(' ');
}

export function officerFieldErrors(error: unknown, t: Translate): FieldErrors {
  if (
    error instanceof ApiError &&
    error.code === 'APPLICATION_INVALID' &&
    Array.isArray(error.problem.errors) &&
    error.problem.errors.length > 0
  ) {
    const out: FieldErrors = {};
    for (const e of error.problem.errors) {
      const field = snake(e.field);
      out[field] = out[field] ? `${out[field]} ${reasonWords(e.reason, t)}` : reasonWords(e.reason, t);
    }
    return out;
  }
  const found = fieldErrors(error, t);
  return Object.fromEntries(Object.entries(found).map(([k, v]) => [snake(k), v]));
}

/** What to do after a problem that concerns the whole form. */
function nextStep(error: unknown, t: Translate): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  switch (error.code) {
    case 'MAKER_CHECKER':
    case 'LOCK_SAME_OFFICER':
      return t('hint_maker_checker');
    case 'CONFLICT':
      return t('hint_conflict');
    case 'OFFICER_ROLE_REQUIRED':
    case 'LOCK_OFFICER_ROLE_REQUIRED':
    case 'FORBIDDEN':
      return t('hint_forbidden');
    default:
      return undefined;
  }
}

export interface OfficerAction extends Action {
  /** The last failure's problem code (CONFLICT, MAKER_CHECKER…), to offer the next step. */
  code: string | undefined;
}

export function useOfficerAction(): OfficerAction {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<SummaryItem[]>([]);
  const [fields, setFields] = useState<FieldErrors>({});
  const [code, setCode] = useState<string | undefined>();
  const fail = useCallback((found: FieldErrors) => {
    setFields(found);
    setCode(undefined);
    setSummary(Object.entries(found).map(([field, message]) => ({ field, message })));
  }, []);
  const run = useCallback(
    async <T,>(request: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      setSummary([]);
      setFields({});
      setCode(undefined);
      try {
        return await request();
      } catch (error) {
        const perField = officerFieldErrors(error, t);
        setFields(perField);
        setCode(error instanceof ApiError ? error.code : undefined);
        const listed: SummaryItem[] = Object.entries(perField).map(([field, message]) => ({ field, message }));
        if (listed.length === 0) listed.push({ message: errorMessage(error, t) });
        const next = nextStep(error, t);
        if (next) listed.push({ message: next });
        setSummary(listed);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [t],
  );
  return { busy, summary, fields, run, fail, code };
}

export function SelectField({
  id,
  label,
  hint,
  error,
  options,
  ...select
}: FieldProps & { options: { value: string; label: string }[] } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error}>
      <select
        id={id}
        name={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedByOf({ id, label, hint, error })}
        {...select}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** An input of another type than text (date, file, datetime-local), same frame. */
export function InputField({ id, label, hint, error, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error}>
      <input
        id={id}
        name={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedByOf({ id, label, hint, error })}
        {...input}
      />
    </FieldFrame>
  );
}

/** Radio buttons in a fieldset whose legend is the question; the error ties to the group. */
export function RadioGroup(props: {
  id: string;
  legend: string;
  hint?: string;
  error?: string | undefined;
  value: string;
  options: { value: string; label: string }[];
  onChange(value: string): void;
}) {
  const { id, legend, hint, error, value, options, onChange } = props;
  return (
    <fieldset
      id={id}
      className={error ? 'field field-error radios' : 'field radios'}
      aria-describedby={describedByOf({ id, label: legend, hint, error })}
    >
      <legend>{legend}</legend>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="error-message" id={`${id}-error`}>
          {error}
        </p>
      )}
      {options.map((o) => (
        <div className="radio" key={o.value}>
          <input
            type="radio"
            id={`${id}-${o.value}`}
            name={id}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

/** Reads a file as base64 without the data-URL prefix (what the API's capture fields take). */
export function fileToBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('unreadable file'));
    reader.readAsDataURL(file);
  });
}

/** A list of facts (term, value), skipping empty values. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items
        .filter(([, v]) => v !== null && v !== undefined && v !== '')
        .map(([k, v]) => (
          <div className="fact" key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}
