import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What an admin request's credentials amount to. */
export type AdminAccess = 'granted' | 'disabled' | 'missing' | 'wrong';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Checks `Authorization: Bearer <ADMIN_TOKEN>`; the comparison takes the same time whatever the guess. */
export function checkAdminAccess(req: IncomingMessage, adminToken: string | undefined): AdminAccess {
  if (!adminToken) return 'disabled';
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  if (!match) return 'missing';
  return timingSafeEqual(digest(match[1]!), digest(adminToken)) ? 'granted' : 'wrong';
}
