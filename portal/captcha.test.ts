import { describe, expect, test } from 'vitest';
import {
  arithmeticQuestion,
  captchaSvg,
  CAPTCHA_TTL_MS,
  newChallenge,
  normaliseAnswer,
  randomCode,
  verifyChallenge,
} from './captcha.ts';
import { solveQuestion, usePortalDatabase } from './testing.ts';

/** The portal's captcha: made by the server, single use, expiring, with an accessible question. */
const p = usePortalDatabase();

/** The answer a challenge was made with, recovered the way only a test can: by trying each. */
async function answerOf(kind: 'image' | 'question', make: () => Promise<{ id: string; question?: string }>) {
  return make().then((c) => ({ ...c, kind }));
}

describe('captcha', () => {
  test('the picture is paths only: the code is nowhere in the markup', () => {
    for (let i = 0; i < 20; i++) {
      const code = randomCode();
      const svg = captchaSvg(code);
      expect(svg).not.toContain('<text');
      expect(svg).not.toContain(code);
      expect(svg.match(/<path d="M/g)!.length).toBeGreaterThanOrEqual(code.length);
      // The same code never draws the same picture twice.
      expect(captchaSvg(code)).not.toBe(svg);
    }
  });

  test('the accessible question is Vietnamese text a screen reader reads, with an answer in 0–20', () => {
    for (let i = 0; i < 50; i++) {
      const q = arithmeticQuestion('vi');
      expect(q.question).toMatch(/^[\p{L} ]+ (cộng|trừ) [\p{L} ]+ bằng mấy\?$/u);
      expect(q.answer).toBeGreaterThanOrEqual(0);
      expect(q.answer).toBeLessThanOrEqual(20);
      expect(solveQuestion(q.question)).toBe(String(q.answer));
    }
    expect(arithmeticQuestion('en').question).toMatch(/^What is \w+ (plus|minus) \w+\?$/);
  });

  test('answers: codes ignore case and spaces; numbers may be digits or words', () => {
    expect(normaliseAnswer('image', ' ab c7 ')).toBe('ABC7');
    expect(normaliseAnswer('question', '12')).toBe('12');
    expect(normaliseAnswer('question', 'mười hai')).toBe('12');
    expect(normaliseAnswer('question', 'muoi hai')).toBe('12');
    expect(normaliseAnswer('question', 'twelve')).toBe('12');
  });

  test('single use: the right answer works once; a second try with it fails', async () => {
    const now = new Date();
    const c = await answerOf('question', () => newChallenge(p.database.db, 'question', 'vi', now));
    const answer = solveQuestion(c.question!);
    expect(await verifyChallenge(p.database.db, c.id, answer, now)).toBe(true);
    expect(await verifyChallenge(p.database.db, c.id, answer, now)).toBe(false);
  });

  test('a wrong answer burns the challenge: the right one after it fails too', async () => {
    const now = new Date();
    const c = await newChallenge(p.database.db, 'question', 'vi', now);
    const answer = solveQuestion(c.question!);
    expect(await verifyChallenge(p.database.db, c.id, String(Number(answer) + 1), now)).toBe(false);
    expect(await verifyChallenge(p.database.db, c.id, answer, now)).toBe(false);
  });

  test('it expires after five minutes', async () => {
    const now = new Date();
    const c = await newChallenge(p.database.db, 'question', 'en', now);
    const later = new Date(now.getTime() + CAPTCHA_TTL_MS + 1);
    expect(await verifyChallenge(p.database.db, c.id, solveQuestion(c.question!), later)).toBe(false);
  });

  test('an unknown or malformed id fails without error', async () => {
    expect(await verifyChallenge(p.database.db, '00000000-0000-0000-0000-000000000000', 'ABCDE', new Date())).toBe(
      false,
    );
    expect(await verifyChallenge(p.database.db, "x' or 1=1 --", 'ABCDE', new Date())).toBe(false);
  });
});
