import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Encryption of secrets at rest (TOTP seeds, OpenID signing keys, later biometric templates):
 * AES-256-GCM under a master keyring from the environment, never from the database it protects.
 * Sealed values name the key that sealed them (`v1.<keyId>.<iv>.<ciphertext>.<tag>`), so a new
 * master key can be put first in the ring and old values still open until they are re-sealed.
 * The additional data binds a value to its place (e.g. the account id), so a sealed value copied
 * into another row does not open.
 */
export interface Keyring {
  /** Key id → 32-byte key; the first entry seals. */
  keys: [string, Buffer][];
}

export interface SecretBox {
  seal(plaintext: Buffer | string, context: string): string;
  open(sealed: string, context: string): Buffer;
  /** Whether a value was sealed with an older key and should be re-sealed. */
  isStale(sealed: string): boolean;
}

/** Parses `id:base64key[,id:base64key…]` (each key 32 bytes). */
export function parseKeyring(text: string): Keyring {
  const keys = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part): [string, Buffer] => {
      const [id, material] = part.split(':');
      if (!id || !material || !/^[A-Za-z0-9_-]+$/.test(id)) throw new Error('master key entries are id:base64key');
      const key = Buffer.from(material, 'base64');
      if (key.length !== 32) throw new Error(`master key ${id} must be 32 bytes`);
      return [id, key];
    });
  if (keys.length === 0) throw new Error('the master keyring is empty');
  return { keys };
}

export function newKeyringText(id = `k${Date.now().toString(36)}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export function secretBox(keyring: Keyring): SecretBox {
  const byId = new Map(keyring.keys);
  const [currentId, currentKey] = keyring.keys[0]!;
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      cipher.setAAD(Buffer.from(context));
      const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const b64 = (b: Buffer) => b.toString('base64url');
      return `v1.${currentId}.${b64(iv)}.${b64(ct)}.${b64(cipher.getAuthTag())}`;
    },
    open(sealed, context) {
      const [version, keyId, iv, ct, tag] = sealed.split('.');
      if (version !== 'v1' || !keyId || !iv || ct === undefined || !tag) throw new Error('not a sealed value');
      const key = byId.get(keyId);
      if (!key) throw new Error(`sealed with unknown master key ${keyId}`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
    },
    isStale(sealed) {
      return sealed.split('.')[1] !== currentId;
    },
  };
}

/** The configured keyring, or the development one kept in `<dataDir>/master-keys` (made once). */
export async function loadKeyring(config: { masterKeys: string | undefined; dataDir: string }): Promise<Keyring> {
  if (config.masterKeys) return parseKeyring(config.masterKeys);
  const file = path.join(config.dataDir, 'master-keys');
  if (existsSync(file)) return parseKeyring(await readFile(file, 'utf8'));
  await mkdir(config.dataDir, { recursive: true });
  const text = newKeyringText();
  await writeFile(file, `${text}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return parseKeyring(await readFile(file, 'utf8'));
}
