import { describe, expect, test } from 'vitest';
import {
  activationDeadline,
  canonicalIdentifier,
  maskPhone,
  notActiveProblem,
  nextStatus,
  parseIdentifier,
  toE164,
  type Account,
} from './model.ts';

const at = new Date('2026-03-02T03:00:00Z');
const state = (status: Account['status'], lockReasons: string[] = [], activationDueAt: Date | null = null) => ({
  status,
  lockReasons,
  activationDueAt,
});

describe('account status rules', () => {
  test('activation in the app within the period, by the call centre after it (Decree 69 Art 14)', () => {
    const due = new Date('2026-03-09T16:59:59.999Z');
    expect(nextStatus(state('pending_activation', [], due), { type: 'activate', via: 'app', at })).toMatchObject({
      status: 'active',
      activatedAt: at,
    });
    const late = new Date('2026-03-10T01:00:00Z');
    expect(nextStatus(state('pending_activation', [], due), { type: 'activate', via: 'app', at: late })).toEqual({
      refused: 'activation_period_over',
    });
    expect(nextStatus(state('activation_expired'), { type: 'activate', via: 'app', at: late })).toEqual({
      refused: 'not_pending',
    });
    expect(nextStatus(state('activation_expired'), { type: 'activate', via: 'call_centre', at: late })).toMatchObject({
      status: 'active',
    });
    expect(nextStatus(state('pending_activation', [], due), { type: 'expire_activation', at })).toEqual({
      refused: 'not_due',
    });
    expect(nextStatus(state('pending_activation', [], due), { type: 'expire_activation', at: late })).toEqual({
      status: 'activation_expired',
      lockReasons: [],
    });
  });

  test('the hotline reopens an expired activation with a new 7-day period (Decree 69 Art 14.2)', () => {
    const reissuedAt = new Date('2026-03-12T02:00:00Z'); // 09:00 on 12 March in Hà Nội
    expect(nextStatus(state('activation_expired'), { type: 'reissue_activation', at: reissuedAt })).toEqual({
      status: 'pending_activation',
      lockReasons: [],
      activationDueAt: new Date('2026-03-19T16:59:59.999Z'),
    });
    for (const status of ['pending_activation', 'active', 'locked'] as const) {
      expect(nextStatus(state(status), { type: 'reissue_activation', at: reissuedAt })).toEqual({
        refused: 'not_expired',
      });
    }
    expect(nextStatus(state('closed'), { type: 'reissue_activation', at: reissuedAt })).toEqual({ refused: 'closed' });
  });

  test('locks accumulate grounds; the account is active again when the last one goes', () => {
    const one = nextStatus(state('active'), { type: 'lock', reason: 'holder_request' });
    expect(one).toEqual({ status: 'locked', lockReasons: ['holder_request'] });
    const two = nextStatus(state('locked', ['holder_request']), { type: 'lock', reason: 'authority_request' });
    expect(two).toEqual({ status: 'locked', lockReasons: ['holder_request', 'authority_request'] });
    expect(
      nextStatus(state('locked', ['holder_request', 'authority_request']), {
        type: 'unlock',
        reason: 'holder_request',
      }),
    ).toEqual({ status: 'locked', lockReasons: ['authority_request'] });
    expect(nextStatus(state('locked', ['authority_request']), { type: 'unlock', reason: 'authority_request' })).toEqual(
      {
        status: 'active',
        lockReasons: [],
      },
    );
    expect(nextStatus(state('active'), { type: 'unlock', reason: 'holder_request' })).toEqual({
      refused: 'not_locked_for_reason',
    });
    expect(nextStatus(state('pending_activation'), { type: 'lock', reason: 'holder_request' })).toEqual({
      refused: 'not_active',
    });
  });

  test('death has no unlock', () => {
    expect(nextStatus(state('locked', ['death']), { type: 'unlock', reason: 'death' })).toEqual({
      refused: 'death_has_no_unlock',
    });
  });

  test('a closed account does not change any more', () => {
    for (const event of [
      { type: 'activate', via: 'call_centre', at },
      { type: 'lock', reason: 'holder_request' },
      { type: 'close' },
    ] as const) {
      expect(nextStatus(state('closed'), event)).toEqual({ refused: 'closed' });
    }
  });
});

describe('activation deadline', () => {
  test('7 calendar days after the notice day, ending at 24:00 Vietnam time (Civil Code Arts 147–148)', () => {
    // Notice on 2 March at 10:00 in Hà Nội: the period runs 3–9 March and ends 9 March 24:00 (+07).
    expect(activationDeadline(new Date('2026-03-02T10:00:00+07:00')).toISOString()).toBe('2026-03-09T16:59:59.999Z');
    // 23:30 on 2 March in Hà Nội is still 2 March there, although it is 16:30Z.
    expect(activationDeadline(new Date('2026-03-02T23:30:00+07:00')).toISOString()).toBe('2026-03-09T16:59:59.999Z');
    // 00:30 on 3 March in Hà Nội (2 March 17:30Z) counts from 3 March.
    expect(activationDeadline(new Date('2026-03-03T00:30:00+07:00')).toISOString()).toBe('2026-03-10T16:59:59.999Z');
  });
});

describe('identifiers and contact points', () => {
  test('classifies login identifiers', () => {
    expect(parseIdentifier(' 001090048213 ')).toEqual({ kind: 'pin', pin: '001090048213' });
    expect(parseIdentifier('m12345678')).toEqual({ kind: 'passport', number: 'M12345678', country: null });
    expect(parseIdentifier('KOR:M12345678')).toEqual({ kind: 'passport', number: 'M12345678', country: 'KOR' });
    expect(parseIdentifier('0101234567')).toEqual({ kind: 'enterprise', code: '0101234567' });
    expect(parseIdentifier('12345')).toEqual({ kind: 'invalid' });
    expect(parseIdentifier("' or 1=1 --")).toEqual({ kind: 'invalid' });
  });

  test('every spelling of an identifier has one canonical form', () => {
    expect(canonicalIdentifier('001 090 048 213')).toBe(canonicalIdentifier('001090048213'));
    expect(canonicalIdentifier('kor:m12345678')).toBe(canonicalIdentifier('M12345678'));
    expect(canonicalIdentifier('a b')).toBe(canonicalIdentifier('AB'));
  });

  test('phones are stored as E.164 and shown masked', () => {
    expect(toE164('0912 345 678')).toBe('+84912345678');
    expect(toE164('+84912345678')).toBe('+84912345678');
    expect(toE164('84912345678')).toBe('+84912345678');
    expect(toE164('12345')).toBeNull();
    expect(maskPhone('+84912345678')).toBe('0912***678');
  });
});

describe('the not-active answer (DOMAIN.md §6)', () => {
  test('a locked holder is told an unlock can still be asked for, except after death (Law Art 34)', () => {
    expect(notActiveProblem('locked', ['holder_request']).messageIn('vi')).toContain('yêu cầu mở khóa');
    const dead = notActiveProblem('locked', ['holder_request', 'death']);
    expect(dead.messageIn('vi')).toContain('vĩnh viễn');
    expect(dead.messageIn('en')).not.toContain('unlock');
  });
});
