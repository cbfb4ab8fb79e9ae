// A third-party TypeScript program: the typed client, with the payload checked by the application's own zod
// schema. Start a server first (`pnpm start` in the ssehub repository), then:
//   npm run build && SSEHUB_URL=http://localhost:8080 npm start
import type { EventEnvelope, PublishResponse, ReadyPayload } from '@ssehub/protocol';
import { ChatMessageSchema, type ChatMessage } from '@ssehub/protocol/chat';
import { createSsehubClient } from '@ssehub/protocol/client';
import { z } from 'zod';

/** The data this application publishes; its type comes from the schema, as in ssehub itself. */
const CounterSchema = z.object({ n: z.number().int().nonnegative() });
type Counter = z.infer<typeof CounterSchema>;

const COUNT = 3;
// The topic is under `rooms/`, which `pnpm start` lets anyone read and post to; a server that keeps it
// closed needs SSEHUB_TOKEN, a JWT whose `ssehub` claim grants `rooms/*` (README, Security).
const client = createSsehubClient({
  baseUrl: process.env['SSEHUB_URL'] ?? 'http://localhost:8080',
  token: process.env['SSEHUB_TOKEN'],
});
const topic = `rooms/example-ts-${process.pid}-${Date.now()}`;

/** Publishes `COUNT` counters once the stream is live and resolves with every counter received, in order. */
function roundTrip(): Promise<{ ready: ReadyPayload; published: PublishResponse[]; received: Counter[] }> {
  const received: Counter[] = [];
  let allReceived: () => void = () => {};
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  let started = false;
  return new Promise((resolve, reject) => {
    const subscription = client.subscribe({
      topics: [topic],
      onReady: (ready) => {
        if (started) return; // a reconnect announces ready again
        started = true;
        void (async () => {
          const published: PublishResponse[] = [];
          for (let n = 0; n < COUNT; n++) published.push(await client.publish({ topic, type: 'example.count', data: { n } }));
          await done;
          subscription.close();
          resolve({ ready, published, received });
        })().catch(reject);
      },
      onEvent: (event: EventEnvelope) => {
        // `data` is `unknown` on the wire; the application's schema turns it into a Counter.
        received.push(CounterSchema.parse(event.data));
        if (received.length === COUNT) allReceived();
      },
      // A refused stream (401/403, no server) ends the example at once with the server's reason.
      onError: (error: unknown) => {
        subscription.close();
        reject(new Error(`subscription: ${error instanceof Error ? error.message : String(error)}`));
      },
    });
  });
}

const deadline = setTimeout(() => {
  console.error('no events within 15 s');
  process.exit(1);
}, 15_000);
const { ready, published, received } = await roundTrip();
clearTimeout(deadline);
const chat: ChatMessage = ChatMessageSchema.parse({ text: '  hello  ', author: 'ada' });
const inOrder = received.every((counter, index) => counter.n === index);
console.log(JSON.stringify({ example: 'typescript', node: ready.node, ids: published.map((p) => p.id), received, inOrder, chat }));
process.exitCode = inOrder && received.length === COUNT ? 0 : 1;
