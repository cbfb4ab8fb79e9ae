import type { StoredEvent } from '@ssehub/broker';
import { MAX_HISTORY_LIMIT, SsehubError, decodeAnyCursor, type StoredEnvelope, type HistoryResponse } from '@ssehub/protocol';
import { compilePath, decodeTopicPath, matchPath, sendJson } from '@ssehub/service-kit';
import { Router, type Request } from 'express';
import type { RouteDeps } from './route-deps.js';
import { authenticate, principalOf } from '../access.js';
import { methodNotAllowed } from '../error-handler.js';
import { capPage, historyReadLimit } from '../history-limits.js';

/** The history route, in the syntax express and service-kit's route table share. */
const HISTORY_PATH = '/v1/topics/*topic/history';
// As loose as express's own match (any case, one trailing slash), so every path it routes here has a topic.
const HISTORY_PATTERN = compilePath(HISTORY_PATH, { caseSensitive: false, trailingSlash: true });

/** Events a history page returns when `limit` is not given. @default 100 */
export const DEFAULT_HISTORY_LIMIT = 100;

// A blank parameter counts as absent, so `?after=` from a client without a cursor yet still works.
function queryParam(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new SsehubError('bad_request', `query parameter "${name}" must be given once`);
  return value;
}

function readLimit(req: Request): number {
  const raw = queryParam(req, 'limit');
  if (raw === undefined) return DEFAULT_HISTORY_LIMIT;
  const limit = /^[0-9]{1,4}$/.test(raw) ? Number(raw) : 0;
  if (limit < 1 || limit > MAX_HISTORY_LIMIT) {
    throw new SsehubError('bad_request', `limit must be an integer from 1 to ${MAX_HISTORY_LIMIT}`);
  }
  return limit;
}

function readAfter(req: Request): string | undefined {
  const after = queryParam(req, 'after');
  if (after !== undefined && decodeAnyCursor(after) === null) {
    throw new SsehubError('invalid_cursor', 'after: not a cursor ssehub issued');
  }
  return after;
}

// Express hands the wildcard over decoded segment by segment; the topic is read from the raw path
// instead, by the decoder every app uses.
function readTopic(req: Request): string {
  return decodeTopicPath(matchPath(HISTORY_PATTERN, req.path)?.topic ?? '');
}

// `seq` is the broker's internal position; clients only ever see the envelope.
function toEnvelope({ id, topic, type, data, ts }: StoredEvent): StoredEnvelope {
  return { id, topic, type, data, ts };
}

/**
 * `GET /v1/topics/{topic}/history?after=&limit=`: recent events of one topic, oldest first; read access
 * as for subscribing. A page stays within the response size, with `next` when events were left out.
 */
export function createHistoryRoutes(deps: RouteDeps): Router {
  const router = Router();
  const readsAtOnce = historyReadLimit({ perIp: deps.history.readsPerIp, clientAddress: deps.clientAddress, limitHits: deps.limitHits });
  router
    .route(HISTORY_PATH)
    .get(readsAtOnce, authenticate(deps.access), async (req, res) => {
      const topic = readTopic(req);
      deps.access.authorizeRead(principalOf(res), [topic]);
      const limit = readLimit(req);
      const after = readAfter(req);
      const page = await deps.broker.history(topic, after === undefined ? { limit } : { after, limit });
      const { events, next } = capPage(page.events.map(toEnvelope), deps.history.maxResponseBytes);
      const body: HistoryResponse = { topic, events, truncated: page.truncated, ...(next === undefined ? {} : { next }) };
      sendJson(res, 200, body);
    })
    .all(methodNotAllowed('GET, HEAD'));
  return router;
}
