import { useCallback, useState } from 'react';
import { ApiError, errorMessage, fieldErrors } from '../shared/api.ts';
import type { FieldErrors, SummaryItem, Action } from '../shared/forms.tsx';
import { useI18n, type Translate } from '../shared/i18n.tsx';

/**
 * The citizen app's form actions: the shared `useAction`, plus what the shared mapper does not know
 * of the citizen's APIs: problems that name no field but belong to one (a wrong SMS code, the
 * password policy), and APPLICATION_INVALID, whose `errors` list every field at fault in the
 * server's camelCase with a short English reason, turned here into a message in the page's language.
 */

/** `dateOfBirth` → `date_of_birth`: forms name their fields as the request body does. */
export function snakeField(field: string): string {
  return field
    .replace(/^(body|querystring|params|headers)\./, '')
    .replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
    .replace(/\.\d+$/, '');
}

/** The citizen APIs' problems that belong to one field of the form that caused them. */
const FIELD_OF_CODE: Record<string, string> = {
  AUTH_OTP_INVALID: 'code',
  AUTH_OTP_EXPIRED: 'code',
  AUTH_PASSWORD_POLICY: 'password',
  AUTH_PASSCODE_FORMAT: 'passcode',
  AUTH_DEVICE_INVALID: 'device_name',
};

/** An English reason of APPLICATION_INVALID (src/issuance/validation.ts) → a readable message. */
function applicationReason(field: string, reason: string, t: Translate): string {
  if (reason === 'required') return t('field_required');
  if (reason === 'not an image') return t('cz_face_not_image');
  if (reason.startsWith('not a Vietnamese mobile')) return t('cz_phone_invalid');
  if (reason.startsWith('not an e-mail')) return t('cz_email_invalid');
  if (reason.startsWith('not a date')) return t('cz_date_invalid');
  if (reason.startsWith('longer than')) return t('field_too_long', { n: Number(/\d+/.exec(reason)?.[0] ?? 0) });
  if (field === 'pin') return t('cz_pin_invalid_because', { reason });
  if (field === 'enterprise_code') return t('cz_enterprise_code_invalid');
  return t('field_invalid');
}

export function citizenFieldErrors(error: unknown, t: Translate): FieldErrors {
  if (!(error instanceof ApiError)) return {};
  const errors = error.problem.errors;
  if (error.code === 'APPLICATION_INVALID' && Array.isArray(errors)) {
    const out: FieldErrors = {};
    for (const e of errors as { field: string; reason: string }[]) {
      const field = snakeField(e.field);
      out[field] ??= applicationReason(field, e.reason, t);
    }
    return out;
  }
  const own = FIELD_OF_CODE[error.code];
  if (own) return { [own]: error.message };
  const shared = fieldErrors(error, t);
  return Object.fromEntries(Object.entries(shared).map(([field, message]) => [snakeField(field), message]));
}

/** Like the shared `useAction`, with the citizen APIs' field mapping; `extra` adds a page's own. */
export function useFormAction(extra?: (error: unknown) => FieldErrors | undefined): Action {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<SummaryItem[]>([]);
  const [fields, setFields] = useState<FieldErrors>({});
  const fail = useCallback((found: FieldErrors) => {
    setFields(found);
    setSummary(Object.entries(found).map(([field, message]) => ({ field, message })));
  }, []);
  const run = useCallback(
    async <T>(request: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      setSummary([]);
      setFields({});
      try {
        return await request();
      } catch (error) {
        const perField = extra?.(error) ?? citizenFieldErrors(error, t);
        setFields(perField);
        const listed = Object.entries(perField).map(([field, message]) => ({ field, message }));
        setSummary(listed.length > 0 ? listed : [{ message: errorMessage(error, t) }]);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [t, extra],
  );
  return { busy, summary, fields, run, fail };
}

/** A fresh idempotency key for one submission (kept with the draft, so a retry repeats it). */
export function newIdempotencyKey(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
