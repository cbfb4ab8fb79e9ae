import { MAX_BATCH_EVENTS, SsehubError } from '@ssehub/protocol';
import { expect } from 'vitest';
import type { Broker } from '../../src/broker.js';
import { BrokerError } from '../../src/errors.js';
import { publishRequest, scopedIdempotencyKey, type PublishAs } from '../../src/publish-request.js';
import { collect, expectSequence } from '../../src/testing/collect.js';
import { range } from '../../src/testing/numbered.js';

const TOPIC = 'users/42/notifications';
const event = (n: number, topic = TOPIC): { topic: string; type: string; data: { n: number } } => ({ topic, type: 'test.n', data: { n } });

/** Catches what a call throws, so a test can look at its code and message. */
async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SsehubError || error instanceof BrokerError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the publish to be refused');
}

/** One event and batches through `publishRequest`: ingest's answers, every event delivered once, in order. */
export async function expectTrustedPublishesDelivered(publisher: Broker, subscriber: Broker): Promise<void> {
  const sub = await collect(subscriber, [TOPIC]);
  const single = await publishRequest(publisher, event(1), { caller: 'svc:billing' });
  expect(single).toEqual({ id: expect.any(String), topic: TOPIC, type: 'test.n' });
  const batch = await publishRequest(publisher, { events: range(2, 12).map((n) => event(n)) }, { caller: 'svc:billing' });
  expect(batch.events.map((ack) => ack.topic)).toEqual(range(2, 12).map(() => TOPIC));
  // Concurrent publishes, as a busy backend makes them: each keeps its place in the answer and the log.
  const concurrent = await Promise.all(range(12, 40).map((n) => publishRequest(publisher, event(n), { caller: 'svc:billing' })));
  await sub.waitFor(39);
  expectSequence(sub.events, range(1, 40));
  expect(sub.events.map((stored) => stored.id)).toEqual([single.id, ...batch.events.map((ack) => ack.id), ...concurrent.map((ack) => ack.id)]);
}

/** The validation ingest runs, with its codes and messages; nothing of a refused request is published. */
export async function expectTrustedValidation(broker: Broker): Promise<void> {
  const sub = await collect(broker, [TOPIC]);
  const as = { caller: 'svc:billing' };
  const refused = (body: object, options: PublishAs = as): Promise<{ code: string; message: string }> => rejection(publishRequest(broker, body, options));
  expect(await refused(event(1, 'users/*'))).toMatchObject({ code: 'invalid_topic', message: expect.stringMatching(/^topic: /) });
  expect(await refused(event(1, '_ssehub/nodes'))).toMatchObject({ code: 'invalid_topic' });
  expect(await refused({ ...event(1), type: 'ssehub.reset' })).toMatchObject({ code: 'invalid_event', message: expect.stringMatching(/^type: /) });
  expect(await refused({ topic: TOPIC, type: 'test.n' })).toMatchObject({ code: 'invalid_event', message: 'data: data is required' });
  const emptyChat = { topic: TOPIC, type: 'chat.message', data: { text: '', author: 'a' } };
  expect(await refused(emptyChat)).toMatchObject({ code: 'invalid_event', message: expect.stringMatching(/^data\.text: /) });
  // One bad event refuses the whole batch.
  const oneBad = { events: [event(1), event(2, 'a b')] };
  expect(await refused(oneBad)).toMatchObject({ code: 'invalid_topic', message: expect.stringMatching(/^events\.1\.topic: /) });
  const tooMany = { events: range(0, MAX_BATCH_EVENTS + 1).map((n) => event(n)) };
  const tooManyMessage = `events: at most ${MAX_BATCH_EVENTS} events per batch (got ${MAX_BATCH_EVENTS + 1})`;
  expect(await refused(tooMany)).toMatchObject({ code: 'invalid_event', message: tooManyMessage });
  expect(await refused(event(1), { ...as, idempotencyKey: 'has space' })).toMatchObject({ code: 'bad_request' });
  // The sentinel arrives alone: nothing refused above was appended.
  await publishRequest(broker, event(7), as);
  await sub.waitFor(1);
  expectSequence(sub.events, [7]);
}

/** Idempotency as ingest scopes it: per caller, the original answer on a retry, 409 on a reused key. */
export async function expectTrustedIdempotency(first: Broker, second: Broker): Promise<void> {
  const sub = await collect(second, [TOPIC]);
  const as = { caller: 'sub:billing', idempotencyKey: 'order-42' };
  const original = await publishRequest(first, event(1), as);
  // A retry on another node answers the original; the same key of another caller is its own event.
  expect(await publishRequest(second, event(1), as)).toEqual(original);
  const other = await publishRequest(first, event(2), { ...as, caller: 'sub:someone-else' });
  expect(other.id).not.toBe(original.id);
  expect(await rejection(publishRequest(first, event(3), as))).toMatchObject({ code: 'idempotency_conflict' });
  // The key the broker stores is the one ingest stores for the same caller and Idempotency-Key.
  const [stored] = await first.publish([event(1)], { idempotencyKey: scopedIdempotencyKey('sub:billing', 'order-42') });
  expect(stored!.id).toBe(original.id);
  await publishRequest(first, event(4), { caller: 'sub:billing' });
  await sub.waitFor(3);
  expectSequence(sub.events, [1, 2, 4]);
}
