import { createHmac } from 'node:crypto';
import { Type } from 'typebox';
import { vnDate } from '../calendar/working-days.ts';
import { maskPhone, toE164 } from '../identity/model.ts';
import type { Locale } from '../platform/errors.ts';
import { eventsFrom, PROCEDURE_INFO, reasonText, type Application } from './model.ts';

/**
 * How an application is shown: to its applicant (their own data, masked phone), to an officer
 * (checks and allowed actions too), and to anyone holding the receipt's QR code (state and dates
 * only, no personal data).
 */

/** The code printed in the receipt's QR link: only someone holding the receipt can follow it. */
export function trackingCode(app: Pick<Application, 'id' | 'number'>): string {
  // The application id is a random uuid that never leaves the platform; the code is derived from it.
  return createHmac('sha256', app.id).update(app.number).digest('base64url').slice(0, 12);
}

/**
 * The receipt's QR link: the citizen app's tracking page (it reads
 * `/api/v1/public/applications/:number/status?code=`), readable by a person with a phone camera.
 */
export function trackUrl(baseUrl: string, app: Pick<Application, 'id' | 'number'>): string {
  return `${baseUrl.replace(/\/$/, '')}/track/${app.number}?code=${trackingCode(app)}`;
}

const Reason = Type.Object({
  code: Type.String(),
  field: Type.Optional(Type.String()),
  message: Type.String(),
});

export const PublicStatus = Type.Object({
  number: Type.String(),
  procedure: Type.String(),
  procedure_name: Type.String(),
  state: Type.String(),
  received_on: Type.Union([Type.String(), Type.Null()]),
  due_on: Type.Union([Type.String(), Type.Null()]),
  decided_on: Type.Union([Type.String(), Type.Null()]),
});

export const ApplicationView = Type.Object({
  id: Type.String(),
  number: Type.String(),
  procedure: Type.String(),
  procedure_name: Type.String(),
  state: Type.String(),
  subject_kind: Type.String(),
  subject_name: Type.String(),
  phone: Type.Union([Type.String({ description: 'Masked' }), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  reasons: Type.Array(Reason),
  received_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  due_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  due_on: Type.Union([Type.String(), Type.Null()]),
  deadline: Type.Union([Type.Object({ days: Type.Integer(), unit: Type.String() }), Type.Null()]),
  consent_due_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  decided_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  account_id: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
});

export const OfficerApplicationView = Type.Object({
  ...ApplicationView.properties,
  unit_id: Type.String(),
  received_by: Type.Union([Type.String(), Type.Null()]),
  decided_by: Type.Union([Type.String(), Type.Null()]),
  flag: Type.Union([Type.String(), Type.Null()]),
  dossier: Type.Record(Type.String(), Type.Unknown()),
  checks: Type.Record(Type.String(), Type.Unknown()),
  actions: Type.Array(Type.Object({ event: Type.String(), role: Type.String(), to: Type.String() })),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function phoneShown(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const e164 = toE164(phone);
  return e164 ? maskPhone(e164) : null;
}

export function applicationView(app: Application, locale: Locale) {
  const info = PROCEDURE_INFO[app.procedure];
  return {
    id: app.id,
    number: app.number,
    procedure: app.procedure,
    procedure_name: locale === 'en' ? info.en : info.vi,
    state: app.state,
    subject_kind: app.subjectKind,
    subject_name: app.subjectName,
    phone: phoneShown(app.dossier.phone),
    email: app.dossier.email ?? null,
    reasons: app.reasons.map((r) => ({
      code: r.code,
      ...(r.field ? { field: r.field } : {}),
      message: reasonText(r, locale),
    })),
    received_at: iso(app.receivedAt),
    due_at: iso(app.dueAt),
    due_on: app.dueAt ? vnDate(app.dueAt) : null,
    deadline: app.deadline,
    consent_due_at: iso(app.consentDueAt),
    decided_at: iso(app.decidedAt),
    account_id: app.accountId,
    version: app.version,
  };
}

export function officerApplicationView(app: Application, locale: Locale) {
  const { representative, ...dossier } = app.dossier;
  return {
    ...applicationView(app, locale),
    unit_id: app.unitId,
    received_by: app.receivedBy,
    decided_by: app.decidedBy,
    flag: app.flag,
    dossier: {
      ...dossier,
      ...(representative ? { representative: { fullName: representative.fullName, basis: representative.basis } } : {}),
    } as Record<string, unknown>,
    checks: app.checks as unknown as Record<string, unknown>,
    actions: eventsFrom(app.procedure, app.state)
      .filter((x) => x.by === 'RECEIVER' || x.by === 'APPROVER')
      .map((x) => ({ event: x.event, role: x.by, to: x.to })),
  };
}

export function publicStatus(app: Application, locale: Locale) {
  const info = PROCEDURE_INFO[app.procedure];
  return {
    number: app.number,
    procedure: app.procedure,
    procedure_name: locale === 'en' ? info.en : info.vi,
    state: app.state,
    received_on: app.receivedAt ? vnDate(app.receivedAt) : null,
    due_on: app.dueAt ? vnDate(app.dueAt) : null,
    decided_on: app.decidedAt ? vnDate(app.decidedAt) : null,
  };
}
