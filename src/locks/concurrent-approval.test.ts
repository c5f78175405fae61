import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import type { Decision } from './service.ts';
import { lockKit, type LockKit } from './testing.ts';

/**
 * Threat: two C06 approvers open the same forwarded request and press "approve" (or one
 * "approve", the other "refuse") at the same moment. Without serialisation both could pass their
 * checks: two grounds, two decisions in the history, an authority told two different results. The
 * engine locks the request row and checks the version: exactly one decision wins, the other gets
 * CONFLICT (409), and the effect runs once.
 */

const t = useTestDatabase();
const clock = fixedClock('2026-03-02T03:00:00Z');
let kit: LockKit;
let receiver: string;
let reviewer: string;
let approvers: string[];

beforeAll(async () => {
  kit = await lockKit(testPlatform(t.db, { clock }));
  receiver = await kit.officer('PC06-HCM', 'RECEIVER');
  reviewer = await kit.officer('PC06-HCM', 'APPROVER');
  approvers = [await kit.officer('C06', 'APPROVER'), await kit.officer('C06', 'APPROVER')];
});

async function forwardedRequest() {
  const holder = await kit.holder();
  const { request } = await kit.locks.receive(receiver, kit.units['PC06-HCM']!, {
    origin: 'authority',
    action: 'lock',
    identifier: holder.pin!,
    channel: 'counter',
    requester: {
      name: 'Tòa án nhân dân TP Hồ Chí Minh',
      kind: 'court',
      documentNo: '9/QĐ-TA',
      documentDate: '2026-03-01',
    },
    statement: 'Thi hành quyết định của Tòa án',
  });
  const { request: forwarded } = await kit.locks.decide(reviewer, request.id, { event: 'forward', expectedVersion: 1 });
  return { holder, request: forwarded };
}

const decisions: [string, Decision['event'], Decision['event']][] = [
  ['two approvals', 'approve', 'approve'],
  ['an approval and a refusal', 'approve', 'refuse'],
  ['a refusal and an approval', 'refuse', 'approve'],
];

describe('two C06 approvers decide the same request at once', () => {
  test.each(decisions)('%s: one wins, the other gets CONFLICT; the effect happens at most once', async (_, a, b) => {
    const { holder, request } = await forwardedRequest();
    const results = await Promise.allSettled(
      [a, b].map((event, i) =>
        kit.locks.decide(approvers[i]!, request.id, {
          event,
          expectedVersion: request.version,
          reasons: ['Không đủ căn cứ'],
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(Problem);
    expect(lost[0]!.reason).toMatchObject({ code: 'CONFLICT', status: 409 });

    const stored = (await kit.locks.readable(approvers[0]!, request.id))!;
    expect(stored.version).toBe(request.version + 1);
    const history = await kit.locks.history(request.id);
    expect(history.filter((h) => h.event === 'approve' || h.event === 'refuse')).toHaveLength(1);
    const grounds = await sql<{ n: number }>`
      select count(*)::int as n from locks.grounds where reference = ${request.id}`.execute(t.db);
    const account = (await kit.services.identity.get(holder.id))!;
    if (stored.state === 'approved') {
      expect(grounds.rows[0]!.n).toBe(1);
      expect(account).toMatchObject({
        status: 'locked',
        lockReasons: ['authority_request'],
        version: holder.version + 1,
      });
    } else {
      expect(grounds.rows[0]!.n).toBe(0);
      expect(account).toMatchObject({ status: 'active', version: holder.version });
    }
  });
});
