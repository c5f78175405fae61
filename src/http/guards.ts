import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { platformProblem } from '../platform/errors.ts';

/**
 * Guards for back-office endpoints until officers log in through the identity provider
 * (accounts issue): an administrator presents `Authorization: Bearer <ADMIN_TOKEN>`. With no
 * token configured the admin API is closed (secure by default).
 */
export interface Actor {
  kind: 'admin' | 'system' | 'officer' | 'citizen';
  id: string;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function adminGuard(adminToken: string | undefined) {
  return async function requireAdmin(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!presented) throw platformProblem('UNAUTHENTICATED');
    // Compare digests so the comparison takes the same time whatever the token's length.
    if (!adminToken || !timingSafeEqual(digest(presented), digest(adminToken))) throw platformProblem('FORBIDDEN');
    request.actor = { kind: 'admin', id: 'admin-token' };
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}
