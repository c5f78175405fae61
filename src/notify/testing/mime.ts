/**
 * A small MIME reader for tests: enough of RFC 5322/2045/2047 to read back what nodemailer
 * writes (folded headers, encoded words, multipart/alternative, base64, quoted-printable), so a
 * test asserts on the decoded Vietnamese text rather than on an encoding detail.
 */

export interface ParsedMail {
  headers: Map<string, string>;
  subject: string;
  messageId: string;
  text: string | undefined;
  html: string | undefined;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitHeaders(raw: string): Part {
  const normalized = raw.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function qpBytes(text: string, underscoreIsSpace: boolean): Buffer {
  const bytes: number[] = [];
  const s = text.replace(/=\n/g, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '_' && underscoreIsSpace) {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeCharset(bytes: Buffer, charset: string): string {
  return new TextDecoder(charset.toLowerCase() === 'us-ascii' ? 'utf-8' : charset).decode(bytes);
}

/** Decodes RFC 2047 encoded words in a header value. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, charset: string, enc: string, text: string) =>
      decodeCharset(enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text, true), charset),
    );
}

function param(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const m = new RegExp(`${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(header);
  return m ? (m[2] ?? m[1]) : undefined;
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const charset = param(part.headers.get('content-type'), 'charset') ?? 'utf-8';
  let bytes: Buffer;
  if (encoding === 'base64') bytes = Buffer.from(part.body.replace(/\s+/g, ''), 'base64');
  else if (encoding === 'quoted-printable') bytes = qpBytes(part.body, false);
  else bytes = Buffer.from(part.body, 'utf8');
  return decodeCharset(bytes, charset);
}

function leaves(part: Part): Part[] {
  const type = part.headers.get('content-type') ?? 'text/plain';
  if (!/^multipart\//i.test(type)) return [part];
  const boundary = param(type, 'boundary');
  if (!boundary) return [];
  const chunks = part.body.split(`--${boundary}`);
  // chunks[0] is the preamble; the last chunk starts with '--' (the closing delimiter).
  return chunks
    .slice(1)
    .filter((c) => !c.startsWith('--'))
    .flatMap((c) => leaves(splitHeaders(c.replace(/^\n/, '').replace(/\n$/, ''))));
}

export function parseMail(raw: string): ParsedMail {
  const root = splitHeaders(raw);
  let text: string | undefined;
  let html: string | undefined;
  for (const leaf of leaves(root)) {
    const type = (leaf.headers.get('content-type') ?? 'text/plain').toLowerCase();
    if (type.startsWith('text/plain') && text === undefined) text = decodeBody(leaf);
    else if (type.startsWith('text/html') && html === undefined) html = decodeBody(leaf);
  }
  return {
    headers: root.headers,
    subject: decodeWords(root.headers.get('subject') ?? ''),
    messageId: root.headers.get('message-id') ?? '',
    text,
    html,
  };
}
