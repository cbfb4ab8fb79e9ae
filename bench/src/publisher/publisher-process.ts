import { Agent, request } from 'node:http';
import { createBroker, type Broker } from '@ssehub/broker';
import type { PublishResult } from '../harness/harness-protocol.js';
import { serveIpc } from '../ipc.js';
import { PAYLOAD_PAD, clockMs, pace, planTopics, type PublishPlan } from './pacer.js';

// A publisher process: HTTP POSTs to Nchan, or broker.publish over Redis / NATS (cross-node runs).
const mode = process.env.BENCH_PUBLISH_MODE;
const url = process.env.BENCH_PUBLISH_URL ?? '';
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const numbers = new Map<string, number>();
let broker: Broker | undefined;

function postToNchan(channel: string, body: string): Promise<boolean> {
  return new Promise((resolve) => {
    const post = request(`${url}/pub/${channel}`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.once('end', () => resolve((res.statusCode ?? 500) < 300));
    });
    post.once('error', () => resolve(false));
    post.end(body);
  });
}

// Nchan orders a channel by arrival: concurrent POSTs to one channel could overtake each other, so
// each channel has at most one POST in flight (the broker orders ssehub's publishes itself).
const lastPost = new Map<string, Promise<boolean>>();

function postInOrder(channel: string, body: string): Promise<boolean> {
  const posted = (lastPost.get(channel) ?? Promise.resolve(true)).then(() => postToNchan(channel, body));
  lastPost.set(channel, posted);
  return posted;
}

async function publish(plan: PublishPlan): Promise<PublishResult> {
  const topics = planTopics(plan);
  const inFlight: Promise<boolean>[] = [];
  const published = await pace(plan.rate, plan.durationMs, (index) => {
    const topic = topics[index % topics.length]!;
    const n = (numbers.get(topic) ?? 0) + 1;
    numbers.set(topic, n);
    const data = { n, t: clockMs(), p: PAYLOAD_PAD };
    inFlight.push(
      broker
        ? broker.publish([{ topic, type: 'bench', data }]).then(() => true, () => false)
        : postInOrder(topic, JSON.stringify(data)),
    );
  });
  const outcomes = await Promise.all(inFlight);
  return { published, failed: outcomes.filter((ok) => !ok).length };
}

serveIpc(async (body: { op: 'ready' } | { op: 'publish'; plan: PublishPlan }) => {
  if (body.op === 'ready') {
    if (mode === 'broker') broker ??= await createBroker(url, { prefix: process.env.BENCH_PREFIX ?? 'bench' });
    return true;
  }
  return publish(body.plan);
});
