import { RoomMessageRequestSchema, RoomNameSchema, SsehubError, roomTopic } from '@ssehub/protocol';
import { sendJson } from '@ssehub/service-kit';
import { Router, type RequestHandler } from 'express';
import type { RouteDeps } from '../app.js';
import { methodNotAllowed } from '../error-handler.js';
import { jsonBody } from '../json-body.js';
import { readIdempotencyKey } from '../publisher.js';
import { parseBody, requireObject, validEventData } from '../validation.js';

/** Author of a chat message sent without one (until messages are authenticated). @default "anonymous" */
export const ANONYMOUS_AUTHOR = 'anonymous';

/** The event type a room message is published as. @default "chat.message" */
export const CHAT_MESSAGE_TYPE = 'chat.message';

/** `POST /v1/rooms/{room}/messages`: publishes `chat.message` on `rooms/{room}`. */
export function createRoomRoutes(deps: RouteDeps): Router {
  const postMessage: RequestHandler = async (req, res) => {
    const idempotencyKey = readIdempotencyKey(req);
    const room = RoomNameSchema.safeParse(req.params.room);
    if (!room.success) throw new SsehubError('invalid_topic', `room: ${room.error.issues[0]?.message ?? 'invalid room name'}`);
    const message = parseBody(RoomMessageRequestSchema, requireObject(req.body));
    const data = validEventData(CHAT_MESSAGE_TYPE, { text: message.text, author: message.author ?? ANONYMOUS_AUTHOR }, []);
    const [ack] = await deps.publish([{ topic: roomTopic(room.data), type: CHAT_MESSAGE_TYPE, data }], idempotencyKey);
    sendJson(res, 201, ack);
  };
  const router = Router();
  router.route('/v1/rooms/:room/messages').post(jsonBody(deps.maxBodyBytes), postMessage).all(methodNotAllowed('POST'));
  return router;
}
