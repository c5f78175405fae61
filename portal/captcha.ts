import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { PortalDb } from './database.ts';
import { fold } from './fold.ts';

/**
 * The portal's captcha (mã xác thực), made by the server without any library:
 *
 * - **image**: five characters from an alphabet without look-alikes, each drawn from a small
 *   stroke font as SVG paths (never `<text>`, which a script would read from the markup), each
 *   glyph scaled, rotated and jittered, the whole bent by a sine wave and crossed by noise curves;
 * - **question**: the accessible alternative, an arithmetic question in words ("Năm cộng bảy
 *   bằng mấy?"), plain text that a screen reader reads aloud; digits or words answer it.
 *
 * A challenge is a row holding only a hash of its answer; it is single use (consumed by the first
 * attempt, right or wrong) and expires after five minutes.
 */
export const CAPTCHA_TTL_MS = 5 * 60_000;
export const CAPTCHA_ALPHABET = '2345679ACEFHKMNPRTUVWXY';

type Stroke = [number, number][];

/** Glyphs on a 4 × 6 grid (x right, y down): polylines of "x,y" points, strokes split by "|". */
const FONT_SOURCE: Record<string, string> = {
  '2': '0,1 1,0 3,0 4,1 4,2 0,6 4,6',
  '3': '0,0 4,0 2,2.5 3.5,3 4,4.5 3,6 1,6 0,5',
  '4': '3,6 3,0 0,4 4,4',
  '5': '4,0 0,0 0,2.5 3,2.5 4,3.5 4,5 3,6 0,6',
  '6': '4,0.5 3,0 1,0 0,1.5 0,5 1,6 3,6 4,5 4,3.8 3,3 1,3 0,4',
  '7': '0,0 4,0 1.5,6',
  '9': '4,2.5 3,3 1,3 0,2 0,1 1,0 3,0 4,1 4,5 3,6 1,6 0,5.3',
  A: '0,6 2,0 4,6|0.8,3.8 3.2,3.8',
  C: '4,1 3,0 1,0 0,1.5 0,4.5 1,6 3,6 4,5',
  E: '4,0 0,0 0,6 4,6|0,3 3,3',
  F: '4,0 0,0 0,6|0,3 3,3',
  H: '0,0 0,6|4,0 4,6|0,3 4,3',
  K: '0,0 0,6|4,0 0,3.5|1.3,2.6 4,6',
  M: '0,6 0,0 2,3.5 4,0 4,6',
  N: '0,6 0,0 4,6 4,0',
  P: '0,6 0,0 3,0 4,1 4,2 3,3 0,3',
  R: '0,6 0,0 3,0 4,1 4,2 3,3 0,3|2,3 4,6',
  T: '0,0 4,0|2,0 2,6',
  U: '0,0 0,5 1,6 3,6 4,5 4,0',
  V: '0,0 2,6 4,0',
  W: '0,0 1,6 2,2.5 3,6 4,0',
  X: '0,0 4,6|4,0 0,6',
  Y: '0,0 2,3 4,0|2,3 2,6',
};

const FONT: Record<string, Stroke[]> = Object.fromEntries(
  Object.entries(FONT_SOURCE).map(([char, source]) => [
    char,
    source.split('|').map((stroke) => stroke.split(' ').map((p) => p.split(',').map(Number) as [number, number])),
  ]),
);

const rand = (min: number, max: number) => min + (randomInt(0, 1_000_000) / 1_000_000) * (max - min);
const r1 = (n: number) => Math.round(n * 10) / 10;

export function randomCode(length = 5): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CAPTCHA_ALPHABET[randomInt(0, CAPTCHA_ALPHABET.length)];
  return code;
}

/** The SVG of a code: paths only, distorted; 200 × 64. */
export function captchaSvg(code: string): string {
  const width = 200;
  const height = 64;
  const amplitude = rand(3, 6);
  const wavelength = rand(28, 48);
  const phase = rand(0, Math.PI * 2);
  const wave = (x: number, y: number): [number, number] => [x, y + amplitude * Math.sin(x / wavelength + phase)];
  const paths: string[] = [];
  [...code].forEach((char, i) => {
    const glyph = FONT[char];
    if (!glyph) throw new Error(`no glyph for ${char}`);
    const scale = rand(5.2, 6.6);
    const angle = (rand(-22, 22) * Math.PI) / 180;
    const cx = 22 + i * 37 + rand(-3, 3);
    const cy = height / 2 + rand(-4, 4);
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const d = glyph
      .map((stroke) =>
        stroke
          .map(([gx, gy], k) => {
            const x = (gx - 2 + rand(-0.22, 0.22)) * scale;
            const y = (gy - 3 + rand(-0.22, 0.22)) * scale;
            const [px, py] = wave(cx + x * cos - y * sin, cy + x * sin + y * cos);
            return `${k === 0 ? 'M' : 'L'}${r1(px)} ${r1(py)}`;
          })
          .join(''),
      )
      .join('');
    const shade = randomInt(20, 90);
    paths.push(
      `<path d="${d}" fill="none" stroke="rgb(${shade},${shade},${randomInt(60, 140)})" stroke-width="${r1(rand(2.6, 3.6))}" stroke-linecap="round" stroke-linejoin="round"/>`,
    );
  });
  const noise: string[] = [];
  for (let i = 0; i < 5; i++) {
    const p = () => `${r1(rand(0, width))} ${r1(rand(0, height))}`;
    noise.push(
      `<path d="M${p()}C${p()} ${p()} ${p()}" fill="none" stroke="rgb(${randomInt(90, 170)},${randomInt(90, 170)},${randomInt(90, 170)})" stroke-width="${r1(rand(1, 2))}"/>`,
    );
  }
  for (let i = 0; i < 40; i++) {
    noise.push(
      `<circle cx="${r1(rand(0, width))}" cy="${r1(rand(0, height))}" r="${r1(rand(0.6, 1.6))}" fill="#889"/>`,
    );
  }
  // Characters and noise interleaved, so that the document order says nothing either.
  const shapes = [...noise.slice(0, 3), ...paths, ...noise.slice(3)];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="#f3f1e8"/>${shapes.join('')}</svg>`;
}

const WORDS_VI = [
  'không',
  'một',
  'hai',
  'ba',
  'bốn',
  'năm',
  'sáu',
  'bảy',
  'tám',
  'chín',
  'mười',
  'mười một',
  'mười hai',
  'mười ba',
  'mười bốn',
  'mười lăm',
  'mười sáu',
  'mười bảy',
  'mười tám',
  'mười chín',
  'hai mươi',
];
const WORDS_EN = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
  'twenty',
];

/** An arithmetic question in words, and its answer (0–20). */
export function arithmeticQuestion(locale: 'vi' | 'en'): { question: string; answer: number } {
  const a = randomInt(1, 11);
  const b = randomInt(1, 11);
  const plus = randomInt(0, 2) === 0 || a === b;
  const [x, y] = plus ? [a, b] : [Math.max(a, b), Math.min(a, b)];
  const answer = plus ? x + y : x - y;
  const words = locale === 'en' ? WORDS_EN : WORDS_VI;
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const question =
    locale === 'en'
      ? `What is ${words[x]} ${plus ? 'plus' : 'minus'} ${words[y]}?`
      : `${cap(words[x]!)} ${plus ? 'cộng' : 'trừ'} ${words[y]} bằng mấy?`;
  return { question, answer };
}

/** An answer as typed, normalised: a code upper-cased without spaces; a number from digits or words. */
export function normaliseAnswer(kind: 'image' | 'question', typed: string): string {
  if (kind === 'image') return typed.replace(/\s+/g, '').toUpperCase();
  const trimmed = typed.trim();
  if (/^\d{1,3}$/.test(trimmed)) return String(Number(trimmed));
  const folded = fold(trimmed);
  for (const words of [WORDS_VI, WORDS_EN]) {
    const i = words.findIndex((w) => fold(w) === folded);
    if (i >= 0) return String(i);
  }
  return folded;
}

function answerHash(id: string, normalised: string): string {
  return createHash('sha256').update(`captcha:${id}:${normalised}`).digest('hex');
}

export interface Challenge {
  id: string;
  kind: 'image' | 'question';
  /** image: the SVG as a data: URL; question: the question's text. */
  image?: string;
  question?: string;
}

export async function newChallenge(
  db: PortalDb,
  kind: 'image' | 'question',
  locale: 'vi' | 'en',
  now: Date,
): Promise<Challenge> {
  const id = randomUUID();
  let answer: string;
  let challenge: Challenge;
  if (kind === 'image') {
    answer = randomCode();
    challenge = {
      id,
      kind,
      image: `data:image/svg+xml;base64,${Buffer.from(captchaSvg(answer)).toString('base64')}`,
    };
  } else {
    const q = arithmeticQuestion(locale);
    answer = String(q.answer);
    challenge = { id, kind, question: q.question };
  }
  await db
    .insertInto('portal.captchas')
    .values({
      id,
      kind,
      answer_hash: answerHash(id, answer),
      created_at: now,
      expires_at: new Date(now.getTime() + CAPTCHA_TTL_MS),
    })
    .execute();
  return challenge;
}

/**
 * Checks an answer and consumes the challenge whatever the outcome: a second attempt on the
 * same challenge fails, right answer or not, and so does one after it expired.
 */
export async function verifyChallenge(db: PortalDb, id: string, typed: string, now: Date): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return false;
  const row = await db
    .updateTable('portal.captchas')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['kind', 'answer_hash'])
    .executeTakeFirst();
  if (!row) return false;
  const expected = Buffer.from(row.answer_hash, 'hex');
  const given = Buffer.from(answerHash(id, normaliseAnswer(row.kind, typed)), 'hex');
  return timingSafeEqual(expected, given);
}
