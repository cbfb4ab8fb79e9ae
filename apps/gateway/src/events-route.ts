import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, type Route } from '@ssehub/service-kit';
import { RequestProblem, parseEventsRequest, type EventsRequest } from './events-request.js';

/** What {@link createEventsRoute} needs. */
export interface EventsRouteDeps {
  readonly maxTopics: number;
  /** True once the node drains: new streams are sent elsewhere. */
  readonly isDraining: () => boolean;
  /** Answers a refused request, counting the limit it hit (the stream guard's `refuse`). */
  readonly refuse: (res: ServerResponse, problem: unknown) => void;
  /** Admits, subscribes and starts the stream (stream-opener.ts). */
  readonly openStream: (req: IncomingMessage, res: ServerResponse, request: EventsRequest) => Promise<void>;
}

/** `GET /v1/events?topic=…`: validates the request and opens its stream. */
export function createEventsRoute(deps: EventsRouteDeps): Route {
  return {
    methods: ['GET'],
    path: '/v1/events',
    handle(req, res, { url }) {
      if (deps.isDraining()) return sendError(res, 'unavailable', 'this node is draining; reconnect to another', { 'retry-after': '1' });
      const request = parseEventsRequest(req, url, deps.maxTopics);
      if (request instanceof RequestProblem) deps.refuse(res, request);
      else void deps.openStream(req, res, request);
    },
  };
}
