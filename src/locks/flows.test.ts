import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { LOCK_REASONS } from '../identity/model.ts';
import {
  CLOSED_REQUEST_STATES,
  effectOf,
  FLOWS,
  GROUND_RULES,
  isLiftable,
  mermaid,
  OPEN_REQUEST_STATES,
  REQUEST_KINDS,
  STEP_WORKING_DAYS,
  transitionFor,
  type RequestKind,
} from './model.ts';

/**
 * The TK03 flow tables (model.ts) are the single source of truth of the lock procedures. This file
 * checks that each flow is sound and that the diagrams in docs/locks.md are the ones the tables
 * generate, so a change to a table without its documentation fails here; and it pins the ground
 * rules and the registry change → ground mapping.
 *
 * To regenerate the diagrams after changing a table:
 *   UPDATE_LOCK_DOCS=1 npx vitest run src/locks/flows.test.ts && npx prettier --write docs/locks.md
 */

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/locks.md');

/** The ```mermaid block that follows `<!-- flow:KIND -->` in the document. */
const BLOCK = (kind: RequestKind) => new RegExp(`(<!-- flow:${kind} -->\\n\\n\`\`\`mermaid\\n)([\\s\\S]*?)(\\n\`\`\`)`);

describe('the flow tables', () => {
  test.each(REQUEST_KINDS)('%s: every state reachable, every open state has an officer’s way out', (kind) => {
    const flow = FLOWS[kind];
    const reached = new Set(flow.filter((x) => x.from === 'start').map((x) => x.to));
    for (let grew = true; grew;) {
      grew = false;
      for (const x of flow) {
        if (x.from !== 'start' && reached.has(x.from) && !reached.has(x.to)) {
          reached.add(x.to);
          grew = true;
        }
      }
    }
    for (const x of flow) if (x.from !== 'start') expect(reached.has(x.from), `${kind}: ${x.from}`).toBe(true);
    for (const state of reached) {
      const out = flow.filter((x) => x.from === state);
      if (CLOSED_REQUEST_STATES.includes(state)) {
        expect(out, `${kind}: ${state} is final`).toEqual([]);
      } else {
        expect(OPEN_REQUEST_STATES).toContain(state);
        expect(
          out.some((x) => x.by !== 'system' && x.to !== state),
          `${kind}: ${state} needs a decision`,
        ).toBe(true);
        // An open state has a deadline, and its overdue step is escalated.
        expect(STEP_WORKING_DAYS[kind][state], `${kind}: ${state} deadline`).toBeGreaterThan(0);
        expect(transitionFor(kind, state, 'escalate')?.to).toBe(state);
      }
    }
  });

  test('the system only escalates; refusals and returns are officers’; C06 decides authority requests', () => {
    for (const kind of REQUEST_KINDS) {
      for (const x of FLOWS[kind]) {
        if (x.by === 'system') expect(x.event).toBe('escalate');
        if (x.to === 'refused' || x.to === 'returned') expect(x.by).toMatch(/APPROVER$/);
      }
    }
    expect(transitionFor('authority', 'forwarded', 'approve')?.by).toBe('C06_APPROVER');
    expect(transitionFor('authority', 'received', 'forward')?.by).toBe('PC06_APPROVER');
    expect(transitionFor('authority', 'received', 'approve')).toBeNull();
    // Seed 003: 1 working day for PC06, 2 for C06, 3 in all.
    expect(STEP_WORKING_DAYS.authority).toEqual({ received: 1, forwarded: 2 });
  });

  test('docs/locks.md shows the diagrams the tables generate', () => {
    let doc = readFileSync(DOC, 'utf8');
    if (process.env.UPDATE_LOCK_DOCS) {
      for (const kind of REQUEST_KINDS)
        doc = doc.replace(BLOCK(kind), (_, open, __, close) => `${open}${mermaid(kind)}${close}`);
      writeFileSync(DOC, doc);
    }
    for (const kind of REQUEST_KINDS) {
      const found = BLOCK(kind).exec(doc);
      expect(found, `docs/locks.md has no diagram for ${kind}`).not.toBeNull();
      expect(found![2]).toBe(mermaid(kind));
    }
  });
});

describe('the grounds', () => {
  test('every lock reason has its rule and legal basis; death alone is never lifted', () => {
    expect(Object.keys(GROUND_RULES).sort()).toEqual([...LOCK_REASONS].sort());
    for (const reason of LOCK_REASONS) {
      expect(GROUND_RULES[reason].legalBasis).toMatch(/Luật Căn cước 2023|Nghị định 69\/2024\/NĐ-CP/);
      expect(isLiftable(reason), reason).toBe(reason !== 'death');
    }
    expect(GROUND_RULES.holder_request.liftedBy).toEqual(['holder']);
    expect(GROUND_RULES.authority_request.liftedBy).toEqual(['authority']);
    expect(GROUND_RULES.card_revoked_or_held.subjects).toEqual(['citizen']);
    expect(GROUND_RULES.document_expired.subjects).toEqual(['foreigner']);
    expect(GROUND_RULES.organisation_dissolved.subjects).toEqual(['organisation']);
  });

  test('registry changes map onto grounds by the subject they concern', () => {
    const of = (kind: string, subject: 'citizen' | 'foreigner' | 'organisation', detail = {}) =>
      effectOf({ kind, subject: { kind: subject }, detail });
    expect(of('card_held', 'citizen')).toEqual({ kind: 'set', ground: 'card_revoked_or_held', notify: true });
    expect(of('card_revoked', 'citizen')).toEqual({ kind: 'set', ground: 'card_revoked_or_held', notify: true });
    expect(of('card_returned', 'citizen')).toEqual({ kind: 'lift', ground: 'card_revoked_or_held' });
    expect(of('card_issued', 'citizen')).toEqual({ kind: 'lift', ground: 'card_revoked_or_held' });
    expect(of('death', 'citizen')).toEqual({ kind: 'set', ground: 'death', notify: false });
    expect(of('death', 'foreigner')).toEqual({ kind: 'set', ground: 'death', notify: false });
    expect(of('passport_expired', 'foreigner')).toEqual({ kind: 'set', ground: 'document_expired', notify: true });
    expect(of('residence_card_expired', 'foreigner')).toEqual({
      kind: 'set',
      ground: 'document_expired',
      notify: true,
    });
    expect(of('organisation_dissolved', 'organisation')).toEqual({
      kind: 'set',
      ground: 'organisation_dissolved',
      notify: true,
    });
    expect(of('pin_reissued', 'citizen', { pin: '001090012345' })).toEqual({ kind: 'set_pin', pin: '001090012345' });
    for (const ignored of [
      of('organisation_suspended', 'organisation'),
      of('organisation_resumed', 'organisation'),
      of('pin_reissued', 'citizen', { pin: 'x' }),
      of('card_held', 'foreigner'),
      of('passport_expired', 'citizen'),
      of('something_new', 'citizen'),
    ]) {
      expect(ignored).toEqual({ kind: 'ignore' });
    }
  });
});
