import type { IncomingMessage } from 'node:http';
import type { PresenceTracker } from '@ssehub/broker';
import { decodeTopicPath, sendJson, type Route } from '@ssehub/service-kit';

/** What {@link createPresenceRoute} needs. */
export interface PresenceRouteDeps {
  readonly presence: PresenceTracker;
  /** Throws unless the caller may read the topic: presence needs the same right as subscribing. */
  readonly authorizeRead: (req: IncomingMessage, topic: string) => Promise<void>;
}

/** `GET /v1/presence/{topic}`: who is connected to a topic, across all nodes. */
export function createPresenceRoute(deps: PresenceRouteDeps): Route {
  return {
    methods: ['GET', 'HEAD'],
    path: '/v1/presence/*topic',
    errors: { internal: 'presence could not be read' },
    async handle(req, res, { params }) {
      const topic = decodeTopicPath(params.topic ?? '');
      await deps.authorizeRead(req, topic);
      sendJson(res, 200, { topic, members: await deps.presence.list(topic) });
    },
  };
}
