import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PresenceTracker } from '@ssehub/broker';
import { isValidTopic } from '@ssehub/protocol';
import { sendError, sendJson, toWireError, type Logger } from '@ssehub/service-kit';

const PRESENCE_PREFIX = '/v1/presence/';

/** True for `GET /v1/presence/{topic}` paths. */
export function isPresencePath(pathname: string): boolean {
  return pathname.startsWith(PRESENCE_PREFIX);
}

/** What {@link servePresence} needs. */
export interface PresenceRouteDeps {
  readonly presence: PresenceTracker;
  readonly logger: Logger;
  /** Throws unless the caller may read the topic: presence needs the same right as subscribing. */
  readonly authorizeRead: (req: IncomingMessage, topic: string) => Promise<void>;
  /** Answers a refused request. */
  readonly refuse: (res: ServerResponse, error: unknown) => void;
}

/** Answers who is connected to a topic, across all nodes. */
export async function servePresence(req: IncomingMessage, res: ServerResponse, pathname: string, deps: PresenceRouteDeps): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendError(res, 'method_not_allowed', 'GET /v1/presence/{topic} only', { allow: 'GET, HEAD' });
  }
  let topic: string;
  try {
    topic = decodeURIComponent(pathname.slice(PRESENCE_PREFIX.length));
  } catch {
    return sendError(res, 'invalid_topic', 'the topic is not valid percent-encoding');
  }
  if (!isValidTopic(topic)) {
    return sendError(res, 'invalid_topic', `"${topic.slice(0, 80)}" is not a topic: 1-8 "/"-separated segments of [A-Za-z0-9_-]{1,64}`);
  }
  try {
    await deps.authorizeRead(req, topic);
  } catch (error) {
    return deps.refuse(res, error);
  }
  try {
    sendJson(res, 200, { topic, members: await deps.presence.list(topic) });
  } catch (error) {
    const wire = toWireError(error, { internal: 'presence could not be read' });
    if (wire.code === 'internal') deps.logger.error({ err: error }, 'presence lookup failed');
    sendError(res, wire.code, wire.message, wire.headers);
  }
}
