import type { IncomingMessage } from 'node:http';
import { SsehubError, cursorLengthLimit, decodeAnyCursor, isValidTopic, type ErrorCode } from '@ssehub/protocol';
import type { LimitName } from '@ssehub/service-kit';

/** A validated `GET /v1/events` request. */
export interface EventsRequest {
  readonly topics: string[];
  readonly lastEventId: string | undefined;
  /** The `?user=` name; counted in presence only where self-declared names are allowed (see stream-guard.ts). */
  readonly user: string | undefined;
}

const USER_PATTERN = /^[^\u0000-\u001f\u007f]{1,64}$/u;

/** Why a request was refused: a wire error, with the configured limit it went over when there is one. */
export class RequestProblem extends SsehubError {
  constructor(
    code: ErrorCode,
    message: string,
    /** The configured limit the request went over, for `ssehub_limit_hits_total`. */
    readonly limit?: LimitName,
  ) {
    super(code, message);
  }
}

/** Base of the URLs the gateway routes by; never seen by anyone. */
const ROUTING_BASE = 'http://gateway.invalid';

/**
 * The request's URL, only when its path is exactly the one the client sent: the raw path (up to `?`)
 * is routed, never a re-parse of it, so `//evil/v1/events` or `/v1/x/../admin/nodes` match no route
 * and a front proxy that filters by path prefix sees what the gateway serves.
 */
export function routingUrl(rawUrl: string | undefined): URL | undefined {
  const raw = rawUrl ?? '';
  if (!raw.startsWith('/')) return undefined;
  const query = raw.indexOf('?');
  const path = query === -1 ? raw : raw.slice(0, query);
  let url: URL;
  try {
    url = new URL(ROUTING_BASE + raw);
  } catch {
    return undefined;
  }
  return url.origin === ROUTING_BASE && url.pathname === path ? url : undefined;
}

function acceptsEventStream(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const type = part.split(';', 1)[0]!.trim().toLowerCase();
    return type === 'text/event-stream' || type === 'text/*' || type === '*/*';
  });
}

/** Validates topics and cursor of a subscribe request; answers a problem instead of throwing. */
export function parseEventsRequest(req: IncomingMessage, url: URL, maxTopics: number): EventsRequest | RequestProblem {
  if (!acceptsEventStream(req.headers.accept)) {
    return new RequestProblem('not_acceptable', 'GET /v1/events answers text/event-stream only');
  }
  const topics = [...new Set(url.searchParams.getAll('topic'))];
  if (topics.length === 0) return new RequestProblem('invalid_topic', 'name at least one topic: /v1/events?topic=rooms/lobby');
  if (topics.length > maxTopics) {
    return new RequestProblem('invalid_topic', `at most ${maxTopics} topics per connection (got ${topics.length})`, 'topics_per_connection');
  }
  const invalid = topics.find((topic) => !isValidTopic(topic));
  if (invalid !== undefined) {
    return new RequestProblem('invalid_topic', `"${invalid.slice(0, 80)}" is not a topic: 1-8 "/"-separated segments of [A-Za-z0-9_-]{1,64}`);
  }
  const users = url.searchParams.getAll('user');
  if (users.length > 1) return new RequestProblem('bad_request', 'user is given more than once');
  const user = users[0]?.trim() || undefined;
  if (user !== undefined && !USER_PATTERN.test(user)) {
    return new RequestProblem('bad_request', 'user is 1-64 characters without control characters');
  }
  const fromQuery = url.searchParams.getAll('lastEventId');
  if (fromQuery.length > 1) return new RequestProblem('invalid_cursor', 'lastEventId is given more than once');
  const header = req.headers['last-event-id'];
  if (Array.isArray(header)) return new RequestProblem('invalid_cursor', 'Last-Event-ID is given more than once');
  // The header wins: EventSource sends it on every reconnect, with the newest id it saw.
  const lastEventId = header ?? fromQuery[0];
  if (lastEventId === undefined || lastEventId === '') return { topics, lastEventId: undefined, user };
  const limit = cursorLengthLimit(lastEventId);
  if (lastEventId.length > limit) {
    return new RequestProblem('invalid_cursor', `Last-Event-ID is longer than ${limit} characters`, 'last_event_id');
  }
  if (!decodeAnyCursor(lastEventId)) {
    return new RequestProblem('invalid_cursor', 'Last-Event-ID is not an event id this service issued');
  }
  return { topics, lastEventId, user };
}
