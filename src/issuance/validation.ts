import { createHash } from 'node:crypto';
import { isEmail } from '../identity/model.ts';
import { validatePin } from '../registries/pin.ts';
import { normalisePhone } from '../registries/model.ts';
import { issuanceProblem } from './model.ts';

/**
 * Input checks shared by every intake. They collect every fault before answering, so the applicant
 * (or the officer at the counter) fixes the whole form at once: the problem lists each field with
 * its reason in `errors`.
 */
export interface FieldError {
  field: string;
  reason: string;
  rule: string;
  limit?: number | string;
}

const REQUIRED = { rule: 'required' } as const;
const format = (limit: string) => ({ rule: 'format', limit });

export class FieldErrors {
  private readonly errors: FieldError[] = [];

  /**
   * `rule` names the check in the words of the schema errors (src/http/problem.ts), so a front
   * end words both the same way: required, maxLength (with `limit`), format (with `limit` naming
   * it: pin, phone, email, date, image), enum.
   */
  add(field: string, reason: string, rule: Pick<FieldError, 'rule' | 'limit'> = { rule: 'invalid' }): void {
    this.errors.push({ field, reason, ...rule });
  }

  /** Throws APPLICATION_INVALID (400) listing every fault, if there is any. */
  throwIfAny(): void {
    if (this.errors.length === 0) return;
    const reason = this.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
    throw issuanceProblem(
      'APPLICATION_INVALID',
      { reason },
      { field: this.errors[0]!.field, detail: { errors: this.errors } },
    );
  }

  pin(field: string, value: unknown): string {
    if (typeof value !== 'string' || value.trim() === '') {
      this.add(field, 'required', REQUIRED);
      return '';
    }
    const checked = validatePin(value.trim());
    if (!checked.ok) this.add(field, checked.detail, format('pin'));
    return value.trim();
  }

  /** A Vietnamese mobile number in national form, or '' after recording the fault. */
  phone(field: string, value: unknown, required = true): string {
    if (value === undefined || value === null || value === '') {
      if (required) this.add(field, 'required', REQUIRED);
      return '';
    }
    const phone = typeof value === 'string' ? normalisePhone(value) : null;
    if (!phone) this.add(field, 'not a Vietnamese mobile number', format('phone'));
    return phone ?? '';
  }

  email(field: string, value: unknown): string | null {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string' || !isEmail(value.trim())) {
      this.add(field, 'not an e-mail address', format('email'));
      return null;
    }
    return value.trim();
  }

  text(field: string, value: unknown, options: { required?: boolean; max?: number } = {}): string {
    if (typeof value !== 'string' || value.trim() === '') {
      if (options.required !== false) this.add(field, 'required', REQUIRED);
      return '';
    }
    const text = value.normalize('NFC').trim();
    if (text.length > (options.max ?? 200)) {
      this.add(field, `longer than ${options.max ?? 200} characters`, { rule: 'maxLength', limit: options.max ?? 200 });
    }
    return text;
  }

  date(field: string, value: unknown, required = true): string {
    if (value === undefined || value === null || value === '') {
      if (required) this.add(field, 'required', REQUIRED);
      return '';
    }
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
      this.add(field, 'not a date (YYYY-MM-DD)', format('date'));
      return '';
    }
    return value;
  }

  /**
   * One of a few allowed values, or undefined when absent. (Fix: sex and locale were used as given;
   * an unknown sex became a data mismatch and an unknown locale failed later, in the notices.)
   */
  choice<T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.add(field, `one of ${allowed.join(', ')}`, { rule: 'enum', limit: allowed.join(',') });
      return undefined;
    }
    return value as T;
  }

  image(field: string, value: unknown, required = true): Buffer | null {
    if (value === undefined || value === null || (typeof value === 'string' && value === '')) {
      if (required) this.add(field, 'required', REQUIRED);
      return null;
    }
    if (!Buffer.isBuffer(value) || value.length < 16) {
      this.add(field, 'not an image', format('image'));
      return null;
    }
    return value;
  }
}

/** A stable hash of a submission, so a reused idempotency key with a different body is caught. */
export function requestHash(input: unknown): string {
  const canonical = JSON.stringify(input, (_key, value: unknown) => {
    // Buffer.toJSON runs before the replacer: images arrive as { type: 'Buffer', data }.
    if (isSerialisedBuffer(value)) return createHash('sha256').update(Buffer.from(value.data)).digest('hex');
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
      );
    }
    return value;
  });
  return createHash('sha256').update(canonical).digest('hex');
}

function isSerialisedBuffer(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  );
}
