// A third-party program using the published packages from CommonJS: `require` loads the protocol's CJS
// build; the broker is ESM-only, so CommonJS reaches it through `import()`.
// Start a server first (`pnpm start` in the ssehub repository), then:
//   SSEHUB_URL=http://localhost:8080 node main.cjs
'use strict';
const assert = require('node:assert/strict');
const {
  PublishRequestSchema,
  createSseParser,
  decodeCursor,
  encodeCursor,
  formatSseFrame,
} = require('@ssehub/protocol');
const { createSsehubClient } = require('@ssehub/protocol/client');

const baseUrl = process.env.SSEHUB_URL || 'http://localhost:8080';
// The topic is under `rooms/`, which `pnpm start` lets anyone read and post to; a server that keeps it
// closed needs SSEHUB_TOKEN, a JWT whose `ssehub` claim grants `rooms/*` (README, Security).
const token = process.env.SSEHUB_TOKEN;
const COUNT = 3;

/** Schemas, the cursor codec and the SSE encoder/parser need no server. */
function offline() {
  const bad = PublishRequestSchema.safeParse({ topic: 'rooms/lobby', type: 'ssehub.ready', data: {} });
  assert.equal(bad.success, false, 'the ssehub. namespace is reserved for control events');
  const cursor = encodeCursor({ epoch: 'k2x9', positions: [7] });
  assert.deepEqual(decodeCursor(cursor), { epoch: 'k2x9', positions: [7] });
  assert.equal(decodeCursor('not a cursor'), null);
  const messages = [];
  const parser = createSseParser({ onMessage: (message) => messages.push(message) });
  // Fed in two pieces cut mid-line, as a network would deliver it.
  const frame = formatSseFrame({ id: cursor, event: 'note', data: 'a\nb' });
  parser.feed(frame.slice(0, 5));
  parser.feed(frame.slice(5));
  assert.deepEqual(messages.map((m) => [m.lastEventId, m.event, m.data]), [[cursor, 'note', 'a\nb']]);
  return cursor;
}

/** The ESM-only broker from CommonJS: publish three events and read them back. */
async function inProcessBroker() {
  const { createMemoryBroker } = await import('@ssehub/broker/memory');
  const broker = createMemoryBroker();
  for (let n = 0; n < COUNT; n++) await broker.publish([{ topic: 'jobs/2', type: 'job.step', data: { n } }]);
  const page = await broker.history('jobs/2', { limit: 10 });
  await broker.close();
  const seen = page.events.map((event) => event.data.n);
  assert.deepEqual(seen, [0, 1, 2]);
  return seen;
}

/** The typed client against a real server: subscribe, publish once live, receive every event once, in order. */
function overHttp() {
  const client = createSsehubClient({ baseUrl, token });
  const topic = `rooms/example-cjs-${process.pid}-${Date.now()}`;
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

async function main() {
  const deadline = setTimeout(() => {
    console.error(`no events from ${baseUrl} within 15 s`);
    process.exit(1);
  }, 15_000);
  const cursor = offline();
  const broker = await inProcessBroker();
  const live = await overHttp();
  assert.deepEqual(live.received.map((event) => event.n), [0, 1, 2]);
  assert.deepEqual(live.received.map((event) => event.id), live.published);
  clearTimeout(deadline);
  console.log(JSON.stringify({ example: 'node-cjs', cursor, broker, ...live }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
