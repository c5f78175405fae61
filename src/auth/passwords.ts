import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';

/** `Algorithm.Argon2id` (an ambient const enum, which this project's module settings cannot read). */
const ARGON2ID = 2 as Algorithm;

/**
 * Password and passcode hashing: argon2id with the OWASP Password Storage Cheat Sheet parameters
 * (m = 19 MiB, t = 2, p = 1), stored as PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`)
 * so each hash carries its own parameters: raising them later rehashes old hashes at the next
 * successful login (the only moment the plain password is known).
 */
export interface PasswordHasher {
  hash(secret: string): Promise<string>;
  verify(phc: string, secret: string): Promise<boolean>;
  /** Whether a stored hash is weaker than the configured parameters (or not argon2id at all). */
  needsRehash(phc: string): boolean;
}

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function argon2Hasher(params: Argon2Params = OWASP_ARGON2): PasswordHasher {
  const options = { ...params, algorithm: ARGON2ID, outputLen: 32 };
  return {
    hash(secret) {
      return hash(secret, options);
    },
    async verify(phc, secret) {
      try {
        return await verify(phc, secret);
      } catch {
        // A malformed stored hash verifies nothing.
        return false;
      }
    },
    needsRehash(phc) {
      try {
        const stored = parseOptions(phc);
        return (
          stored.algorithm !== ARGON2ID ||
          stored.memoryCost < params.memoryCost ||
          stored.timeCost < params.timeCost ||
          stored.parallelism < params.parallelism ||
          stored.outputLen < 32
        );
      } catch {
        return true;
      }
    },
  };
}
