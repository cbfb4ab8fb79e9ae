// The chat demo's schemas (`@ssehub/protocol/chat`): its rooms, the body of its post route and the data of
// `chat.message`. ssehub itself knows only that `chat.message` data is checked by `ChatMessageSchema`.
import { z } from 'zod';

/** A chat room name: one topic segment. */
export const RoomNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'a room name is 1-64 characters of [A-Za-z0-9_-]' });

/** The topic that carries a chat room's events. */
export function roomTopic(room: string): string {
  return `rooms/${room}`;
}

/** Data of `chat.message`. */
export const ChatMessageSchema = z.object({
  text: z.string().trim().min(1).max(4000),
  author: z.string().trim().min(1).max(64),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** Body of `POST /v1/rooms/{room}/messages`. */
export const RoomMessageRequestSchema = z.object({
  text: z.string().trim().min(1).max(4000),
  author: z.string().trim().min(1).max(64).optional(),
});
export type RoomMessageRequest = z.infer<typeof RoomMessageRequestSchema>;
