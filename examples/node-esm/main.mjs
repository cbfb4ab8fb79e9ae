// A third-party program using the published packages from plain JavaScript (ESM, no build step).
// Start a server first (`pnpm start` in the ssehub repository), then:
//   SSEHUB_URL=http://localhost:8080 node main.mjs
import assert from 'node:assert/strict';
import {
  TopicSchema,
  createSseParser,
  decodeCursor,
  encodeCursor,
  formatSseFrame,
} from '@ssehub/protocol';
import { createSsehubClient } from '@ssehub/protocol/client';
import { createMemoryBroker } from '@ssehub/broker/memory';

const baseUrl = process.env.SSEHUB_URL ?? 'http://localhost:8080';
// The topic is under `rooms/`, which `pnpm start` lets anyone read and post to; a server that keeps it
// closed needs SSEHUB_TOKEN, a JWT whose `ssehub` claim grants `rooms/*` (README, Security).
const token = process.env.SSEHUB_TOKEN;
const COUNT = 3;

/** Schemas, the cursor codec and the SSE encoder/parser need no server. */
function offline() {
  assert.equal(TopicSchema.safeParse('rooms/lobby').success, true);
  assert.equal(TopicSchema.safeParse('rooms/../admin').success, false);
  const cursor = encodeCursor({ epoch: 'k2x9', positions: [42] });
  assert.deepEqual(decodeCursor(cursor), { epoch: 'k2x9', positions: [42] });
  // A payload with blank lines stays one frame: the encoder splits it into data: lines.
  const payload = 'line one\n\ndata: not a forged frame';
  const messages = [];
  const parser = createSseParser({ onMessage: (message) => messages.push(message) });
  parser.feed(formatSseFrame({ id: cursor, event: 'note', data: payload }));
  assert.equal(messages.length, 1);
  assert.deepEqual([messages[0].lastEventId, messages[0].event, messages[0].data], [cursor, 'note', payload]);
  return cursor;
}

/** The in-process broker: publish three events and read them back in order. */
async function inProcessBroker() {
  const broker = createMemoryBroker();
  const seen = [];
  const subscription = await broker.subscribe({ topics: ['jobs/1'] }, { onEvent: (event) => seen.push(event.data.n) });
  for (let n = 0; n < COUNT; n++) await broker.publish([{ topic: 'jobs/1', type: 'job.step', data: { n } }]);
  subscription.close();
  await broker.close();
  assert.deepEqual(seen, [0, 1, 2]);
  return seen;
}

/** The typed client against a real server: subscribe, publish once live, receive every event once, in order. */
function overHttp() {
  const client = createSsehubClient({ baseUrl, token });
  const topic = `rooms/example-esm-${process.pid}-${Date.now()}`;
  const received = [];
  let allReceived;
  let started = false;
  const done = new Promise((resolve) => (allReceived = resolve));
  return new Promise((resolve, reject) => {
    const subscription = client.subscribe({
      topics: [topic],
      // Publish only once the stream is live, so no event is published before the subscription exists.
      onReady: async () => {
        if (started) return; // a reconnect announces ready again
        started = true;
        try {
          const published = [];
          for (let n = 0; n < COUNT; n++) published.push((await client.publish({ topic, type: 'example.count', data: { n } })).id);
          await done;
          subscription.close();
          resolve({ topic, published, received });
        } catch (error) {
          reject(error);
        }
      },
      onEvent: (event) => {
        received.push({ id: event.id, n: event.data.n });
        if (received.length === COUNT) allReceived();
      },
      // A refused stream (401/403, no server) ends the example at once with the server's reason.
      onError: (error) => {
        subscription.close();
        reject(new Error(`subscription: ${error.message}`));
      },
    });
  });
}

function fail(error) {
  console.error(error);
  process.exit(1);
}

const deadline = setTimeout(() => fail(new Error(`no events from ${baseUrl} within 15 s`)), 15_000);
try {
  const cursor = offline();
  const broker = await inProcessBroker();
  const live = await overHttp();
  assert.deepEqual(live.received.map((event) => event.n), [0, 1, 2]);
  assert.deepEqual(live.received.map((event) => event.id), live.published);
  clearTimeout(deadline);
  console.log(JSON.stringify({ example: 'node-esm', cursor, broker, ...live }));
} catch (error) {
  fail(error);
}
