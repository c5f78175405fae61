import { describe, expect, test } from 'vitest';
import {
  checkTransition,
  eventsFrom,
  inOfficersQueue,
  TERMINAL,
  TRANSITIONS,
  type Actor,
  type DossierEvent,
} from './processing.ts';
import type { DossierState } from './tables.ts';

/** The passport dossier's state machine: the table is the whole truth. */
const STATES: DossierState[] = [
  'draft',
  'awaiting_payment',
  'paid',
  'received',
  'additions_requested',
  'approved',
  'refused',
  'produced',
  'delivered',
];
const EVENTS: DossierEvent[] = [
  'submit',
  'pay',
  'receive',
  'request_additions',
  'supplement',
  'approve',
  'refuse',
  'produce',
  'deliver',
];
const ACTORS: Actor[] = ['applicant', 'gateway', 'officer'];

describe('dossier state machine', () => {
  test('the happy path: draft → … → delivered', () => {
    let state: DossierState = 'draft';
    const path: [DossierEvent, Actor][] = [
      ['submit', 'applicant'],
      ['pay', 'gateway'],
      ['receive', 'officer'],
      ['approve', 'officer'],
      ['produce', 'officer'],
      ['deliver', 'officer'],
    ];
    for (const [event, actor] of path) {
      const check = checkTransition(state, event, actor);
      expect(check.ok, `${event} from ${state}`).toBe(true);
      if (check.ok) state = check.transition.to;
    }
    expect(state).toBe('delivered');
  });

  test('additions loop back to processing; refusal ends it', () => {
    const asked = checkTransition('received', 'request_additions', 'officer', 'Ảnh chân dung bị mờ');
    expect(asked).toMatchObject({ ok: true, transition: { to: 'additions_requested' } });
    expect(checkTransition('additions_requested', 'supplement', 'applicant')).toMatchObject({
      ok: true,
      transition: { to: 'received' },
    });
    expect(checkTransition('received', 'refuse', 'officer', 'Đang bị cấm xuất cảnh')).toMatchObject({
      ok: true,
      transition: { to: 'refused' },
    });
  });

  test('an unpaid dossier is not processed: no officer event from draft or awaiting_payment', () => {
    for (const state of ['draft', 'awaiting_payment'] as const) {
      expect(eventsFrom(state, 'officer')).toEqual([]);
      expect(inOfficersQueue(state)).toBe(false);
      expect(checkTransition(state, 'receive', 'officer')).toEqual({ ok: false, reason: 'not_allowed' });
    }
    expect(inOfficersQueue('paid')).toBe(true);
  });

  test('refusal and requests for additions need reasons', () => {
    expect(checkTransition('received', 'refuse', 'officer')).toEqual({ ok: false, reason: 'reason_required' });
    expect(checkTransition('received', 'refuse', 'officer', '  ')).toEqual({ ok: false, reason: 'reason_required' });
    expect(checkTransition('received', 'request_additions', 'officer', 'x')).toEqual({
      ok: false,
      reason: 'reason_required',
    });
  });

  test('only the named actor may cause an event', () => {
    expect(checkTransition('awaiting_payment', 'pay', 'applicant')).toEqual({ ok: false, reason: 'wrong_actor' });
    expect(checkTransition('received', 'approve', 'applicant')).toEqual({ ok: false, reason: 'wrong_actor' });
    expect(checkTransition('draft', 'submit', 'officer')).toEqual({ ok: false, reason: 'wrong_actor' });
  });

  test('every pair not in the table is refused; terminal states have no way out', () => {
    for (const state of STATES) {
      for (const event of EVENTS) {
        const row = TRANSITIONS.find((t) => t.from === state && t.event === event);
        for (const actor of ACTORS) {
          const check = checkTransition(state, event, actor, 'lý do đủ dài');
          if (!row) expect(check).toEqual({ ok: false, reason: 'not_allowed' });
          else expect(check.ok).toBe(row.by === actor);
        }
      }
    }
    for (const state of TERMINAL) for (const actor of ACTORS) expect(eventsFrom(state, actor)).toEqual([]);
  });

  test('the table is deterministic: at most one transition per state and event', () => {
    const keys = TRANSITIONS.map((t) => `${t.from}/${t.event}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Every state but draft is reachable.
    const reached = new Set(TRANSITIONS.map((t) => t.to));
    for (const s of STATES.filter((s) => s !== 'draft')) expect(reached.has(s), s).toBe(true);
  });
});
