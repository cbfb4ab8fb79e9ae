import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Broker } from '@ssehub/broker';
import { isValidTopic } from '@ssehub/protocol';
import { sendError, sendJson, toWireError, type Logger } from '@ssehub/service-kit';
import type { AdminAccess } from './admin-auth.js';
import type { NodeRegistry } from './node-registry.js';

/** Prefix of the admin read API. */
export const ADMIN_PREFIX = '/v1/admin/';
/** Events `recent` returns unless asked for fewer. @default 20 */
const DEFAULT_RECENT = 20;
/** Most events `recent` returns. @default 200 */
const MAX_RECENT = 200;

/** What the admin routes read from. */
export interface AdminRouteDeps {
  readonly broker: Broker;
  readonly registry: NodeRegistry;
  /** Checks the admin token (see `createAdminAuth`). */
  readonly checkAccess: (req: IncomingMessage) => AdminAccess;
  readonly logger: Logger;
}

function recentLimit(url: URL): number | undefined {
  const raw = url.searchParams.get('limit');
  if (raw === null) return DEFAULT_RECENT;
  const limit = Number(raw);
  return Number.isInteger(limit) && limit >= 1 && limit <= MAX_RECENT ? limit : undefined;
}

async function recent(res: ServerResponse, url: URL, path: string, broker: Broker): Promise<void> {
  let topic: string;
  try {
    topic = decodeURIComponent(path.slice('topics/'.length, -'/recent'.length));
  } catch {
    return sendError(res, 'invalid_topic', 'the topic is not valid percent-encoding');
  }
  if (!isValidTopic(topic)) return sendError(res, 'invalid_topic', `"${topic.slice(0, 80)}" is not a topic`);
  const limit = recentLimit(url);
  if (limit === undefined) return sendError(res, 'bad_request', `limit is an integer from 1 to ${MAX_RECENT}`);
  const page = await broker.history(topic, { limit });
  sendJson(res, 200, { topic, events: page.events.map(({ seq: _seq, ...event }) => event), truncated: page.truncated });
}

/**
 * `GET /v1/admin/nodes` (every gateway and its load) and `GET /v1/admin/topics/{topic}/recent?limit=`
 * (the newest events of any topic), behind `Authorization: Bearer <ADMIN_TOKEN>`.
 */
export async function serveAdmin(req: IncomingMessage, res: ServerResponse, url: URL, deps: AdminRouteDeps): Promise<void> {
  const access = deps.checkAccess(req);
  if (typeof access === 'object') {
    const message = 'too many wrong admin tokens from this address; retry later';
    return sendError(res, 'rate_limited', message, { 'retry-after': String(access.retryAfterS) });
  }
  if (access === 'disabled') return sendError(res, 'forbidden', 'the admin API is off: set ADMIN_TOKEN on the gateway');
  if (access !== 'granted') {
    const message = access === 'missing' ? 'send the admin token as "Authorization: Bearer <token>"' : 'the admin token is wrong';
    return sendError(res, 'unauthorized', message, { 'www-authenticate': 'Bearer realm="ssehub-admin"' });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 'method_not_allowed', 'the admin API is read-only', { allow: 'GET, HEAD' });
  const path = url.pathname.slice(ADMIN_PREFIX.length);
  try {
    if (path === 'nodes') return sendJson(res, 200, { nodes: await deps.registry.list() });
    if (path.startsWith('topics/') && path.endsWith('/recent')) return await recent(res, url, path, deps.broker);
    sendError(res, 'not_found', `no admin route ${url.pathname.slice(0, 200)}`);
  } catch (error) {
    const wire = toWireError(error, { internal: 'the admin request failed' });
    if (wire.code === 'internal') deps.logger.error({ err: error }, 'admin request failed');
    sendError(res, wire.code, wire.message, wire.headers);
  }
}
