import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type InputHTMLAttributes,
  type ReactNode,
  type TextareaHTMLAttributes,
} from 'react';
import { errorMessage, fieldErrors } from './api.ts';
import { useI18n } from './i18n.tsx';

/**
 * Form parts that follow one pattern (GOV.UK-style): a label above each field, a hint, the error
 * message right next to the field (tied with aria-describedby, the field marked aria-invalid), and
 * a summary at the top that takes focus and links to each field at fault.
 */

export type FieldErrors = Record<string, string>;

export interface SummaryItem {
  field?: string;
  message: string;
}

export function ErrorSummary({ items }: { items: SummaryItem[] }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const text = items.map((i) => i.message).join('|');
  useEffect(() => {
    if (text) ref.current?.focus();
  }, [text]);
  if (items.length === 0) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1} ref={ref} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{t('error_summary')}</h2>
      <ul>
        {items.map((item) => (
          <li key={`${item.field ?? ''}:${item.message}`}>
            {item.field ? <a href={`#${item.field}`}>{item.message}</a> : item.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const list = ids.filter(Boolean).join(' ');
  return list || undefined;
}

/** What every labelled control of the apps has: an id, a label, a hint and its error. */
export interface FieldProps {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
}

/** `aria-describedby` of a control: its hint, then its error. */
export const describedByOf = ({ id, hint, error }: FieldProps) =>
  describedBy(hint && `${id}-hint`, error && `${id}-error`);

/** The label, hint and error around a control, in the order a screen reader reads them. */
export function FieldFrame({ id, label, hint, error, children }: FieldProps & { children: ReactNode }) {
  return (
    <div className={error ? 'field field-error' : 'field'}>
      <label htmlFor={id}>{label}</label>
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
      {children}
    </div>
  );
}

export function TextField({ id, label, hint, error, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
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

export function TextArea({
  id,
  label,
  hint,
  error,
  ...area
}: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error}>
      <textarea
        id={id}
        name={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedByOf({ id, label, hint, error })}
        {...area}
      />
    </FieldFrame>
  );
}

export function Checkbox({
  id,
  label,
  error,
  ...input
}: Omit<FieldProps, 'hint'> & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className={error ? 'field field-error checkbox' : 'field checkbox'}>
      {error && (
        <p className="error-message" id={`${id}-error`}>
          {error}
        </p>
      )}
      <input
        type="checkbox"
        id={id}
        name={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...input}
      />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** The 6-digit passcode: masked, digits only, never autofilled as a password. */
export function PasscodeField(props: { id?: string; value: string; onChange(value: string): void; error?: string }) {
  const { t } = useI18n();
  return (
    <TextField
      id={props.id ?? 'passcode'}
      label={t('passcode_label')}
      hint={t('passcode_hint')}
      error={props.error}
      type="password"
      inputMode="numeric"
      autoComplete="off"
      maxLength={6}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value.replace(/\D/g, ''))}
      className="input-short"
    />
  );
}

/** Checks the passcode's form before sending it; the message for the field, if wrong. */
export function passcodeError(passcode: string, t: ReturnType<typeof useI18n>['t']): string | undefined {
  return /^\d{6}$/.test(passcode) ? undefined : t('passcode_format');
}

export interface Action {
  busy: boolean;
  /** Messages for the summary (a page-level one has no field). */
  summary: SummaryItem[];
  fields: FieldErrors;
  /** Runs the request; its errors land in `summary` and `fields`. Resolves to undefined on failure. */
  run<T>(request: () => Promise<T>): Promise<T | undefined>;
  /** Shows errors found before sending (client-side checks). */
  fail(fields: FieldErrors): void;
}

/** The state of one form's submission: busy, and the API's errors mapped to fields. */
export function useAction(): Action {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<SummaryItem[]>([]);
  const [fields, setFields] = useState<FieldErrors>({});
  const fail = useCallback((found: FieldErrors) => {
    setFields(found);
    setSummary(Object.entries(found).map(([field, message]) => ({ field, message })));
  }, []);
  const run = useCallback(
    async <T,>(request: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      setSummary([]);
      setFields({});
      try {
        return await request();
      } catch (error) {
        const perField = fieldErrors(error, t);
        setFields(perField);
        const listed = Object.entries(perField).map(([field, message]) => ({ field, message }));
        // The field's own message is next to it; the summary repeats it as a link, or says it all.
        setSummary(listed.length > 0 ? listed : [{ message: errorMessage(error, t) }]);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [t],
  );
  return { busy, summary, fields, run, fail };
}
