import type { IncomingMessage } from 'node:http';
import type { Broker } from '@ssehub/broker';
import { SsehubError } from '@ssehub/protocol';
import { MethodNotAllowedError, createRouteTable, decodeTopicPath, notFoundError, sendError, sendJson } from '@ssehub/service-kit';
import type { Logger, Route, RouteTable } from '@ssehub/service-kit';
import type { AdminAccess } from './admin-auth.js';
import type { NodeRegistry } from './node-registry.js';

/** Events `recent` returns unless asked for fewer. @default 20 */
const DEFAULT_RECENT = 20;
/** Most events `recent` returns. @default 200 */
const MAX_RECENT = 200;
/** The admin API only reads. */
const READ_METHODS = ['GET', 'HEAD'];

/** What the admin routes read from. */
export interface AdminRouteDeps {
  readonly broker: Broker;
  readonly registry: NodeRegistry;
  /** Checks the admin token (see `createAdminAuth`). */
  readonly checkAccess: (req: IncomingMessage) => AdminAccess;
  readonly logger: Logger;
}

function recentLimit(url: URL): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return DEFAULT_RECENT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECENT) throw new SsehubError('bad_request', `limit is an integer from 1 to ${MAX_RECENT}`);
  return limit;
}

function adminTable({ broker, registry, logger }: AdminRouteDeps): RouteTable {
  const errors = { internal: 'the admin request failed' };
  return createRouteTable({
    logger,
    routes: [
      { methods: READ_METHODS, path: '/v1/admin/nodes', errors, handle: async (_req, res) => sendJson(res, 200, { nodes: await registry.list() }) },
      {
        methods: READ_METHODS,
        path: '/v1/admin/topics/*topic/recent',
        errors,
        async handle(_req, res, { url, params }) {
          const topic = decodeTopicPath(params.topic ?? '');
          const page = await broker.history(topic, { limit: recentLimit(url) });
          sendJson(res, 200, { topic, events: page.events.map(({ seq: _seq, ...event }) => event), truncated: page.truncated });
        },
      },
    ],
  });
}

/**
 * `/v1/admin/*`: `GET /v1/admin/nodes` (every gateway and its load) and
 * `GET /v1/admin/topics/{topic}/recent?limit=` (the newest events of any topic), behind
 * `Authorization: Bearer <ADMIN_TOKEN>`, which is checked before anything else. Not under CORS: the
 * admin API is not offered to other sites.
 */
export function createAdminRoute(deps: AdminRouteDeps): Route {
  const table = adminTable(deps);
  return {
    methods: 'any',
    path: '/v1/admin/*path',
    cors: false,
    handle(req, res, { url }) {
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
      if (!READ_METHODS.includes(req.method ?? '')) throw new MethodNotAllowedError(req.method, READ_METHODS.join(', '));
      if (!table.serve(req, res, url)) throw notFoundError(req.method, url.pathname);
    },
  };
}
