// Compile-time checks only: the published declarations carry the zod-inferred types, not `any`.
import type { EventEnvelope, PublishRequest, StoredEnvelope } from '@ssehub/protocol';
import type { ChatMessage, ChatMessageSchema } from '@ssehub/protocol/chat';
import type { SsehubClient } from '@ssehub/protocol/client';
import type { z } from 'zod';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

/** Each line fails to compile when the published types drift from the schemas they are inferred from. */
export type Checks = [
  Expect<Equal<ChatMessage, z.infer<typeof ChatMessageSchema>>>,
  Expect<Equal<ChatMessage, { text: string; author: string }>>,
  // Live-only signals (presence) carry no id; every stored event, as history returns it, has one.
  Expect<Equal<EventEnvelope['id'], string | undefined>>,
  Expect<Equal<StoredEnvelope['id'], string>>,
  Expect<Equal<EventEnvelope['data'], unknown>>,
  Expect<Equal<PublishRequest['topic'], string>>,
  Expect<Equal<Awaited<ReturnType<SsehubClient['publish']>>['id'], string>>,
];

/** Never called: the compiler must reject these calls. */
export function misuse(client: SsehubClient): void {
  // @ts-expect-error a topic is a string
  void client.publish({ topic: 42, type: 'example.count', data: {} });
  // @ts-expect-error the event type is required
  void client.publish({ topic: 'rooms/lobby', data: {} });
  // @ts-expect-error subscribe needs an onEvent handler
  client.subscribe({ topics: ['rooms/lobby'] });
}
