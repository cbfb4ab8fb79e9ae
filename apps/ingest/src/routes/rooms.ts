import { SsehubError } from '@ssehub/protocol';
import { RoomMessageRequestSchema, RoomNameSchema, roomTopic } from '@ssehub/protocol/chat';
import { displayName, sendJson } from '@ssehub/service-kit';
import { Router, type RequestHandler } from 'express';
import type { RouteDeps } from './route-deps.js';
import { authenticate, principalOf } from '../access.js';
import { methodNotAllowed } from '../error-handler.js';
import { jsonBody } from '../json-body.js';
import { readIdempotencyKey } from '../publisher.js';
import { parseBody, requireObject, validEventData } from '@ssehub/broker';

/** Author of an anonymous chat message that names none. @default "anonymous" */
export const ANONYMOUS_AUTHOR = 'anonymous';

/** The event type a room message is published as. @default "chat.message" */
export const CHAT_MESSAGE_TYPE = 'chat.message';

/**
 * `POST /v1/rooms/{room}/messages`: publishes `chat.message` on `rooms/{room}`. The author is the
 * token's `name` (else its subject); the body's `author` counts only for anonymous publishing.
 */
export function createRoomRoutes(deps: RouteDeps): Router {
  const postMessage: RequestHandler = async (req, res) => {
    const idempotencyKey = readIdempotencyKey(req);
    const room = RoomNameSchema.safeParse(req.params.room);
    if (!room.success) throw new SsehubError('invalid_topic', `room: ${room.error.issues[0]?.message ?? 'invalid room name'}`);
    const message = parseBody(RoomMessageRequestSchema, requireObject(req.body));
    const topic = roomTopic(room.data);
    const caller = deps.gate(req, res, [topic]);
    const principal = principalOf(res);
    const author = principal === undefined ? (message.author ?? ANONYMOUS_AUTHOR) : displayName(principal);
    const data = validEventData(CHAT_MESSAGE_TYPE, { text: message.text, author }, []);
    const [ack] = await deps.publish([{ topic, type: CHAT_MESSAGE_TYPE, data }], caller, idempotencyKey);
    sendJson(res, 201, ack);
  };
  const router = Router();
  router
    .route('/v1/rooms/:room/messages')
    .post(authenticate(deps.access), jsonBody(deps.maxBodyBytes), postMessage)
    .all(methodNotAllowed('POST'));
  return router;
}
