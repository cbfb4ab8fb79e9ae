import { Agent, request } from 'node:http';
import { createBroker, publishRequest, type Broker } from '@ssehub/broker';
import type { PublishResult } from '../harness/harness-protocol.js';
import { serveIpc } from '../ipc.js';
import { PAYLOAD_PAD, clockMs, pace, planTopics, type BenchPayload, type PublishPlan } from './pacer.js';

// A publisher process: HTTP POSTs to Nchan (`/pub/<channel>`) or to `/v1/publish` (ssehub's ingest,
// standalone, the yardsticks), or broker.publish over Redis / NATS (cross-node runs), or publishRequest
// over Redis / NATS (`trusted`: a Node backend publishing without HTTP, S5).
const mode = process.env.BENCH_PUBLISH_MODE;
const url = process.env.BENCH_PUBLISH_URL ?? '';
/** POSTs in flight at most, over as many keep-alive connections. @default 16 */
const MAX_SOCKETS = 16;
const agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
const numbers = new Map<string, number>();
let broker: Broker | undefined;

function post(path: string, body: string): Promise<boolean> {
  return new Promise((resolve) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = request(`${url}${path}`, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve((res.statusCode ?? 500) < 300));
    });
    req.once('error', () => resolve(false));
    req.end(body);
  });
}

// Nchan orders a channel by arrival, and so does a yardstick: concurrent POSTs to one topic could
// overtake each other, so each topic has at most one POST in flight (many topics are in flight at once).
const lastPost = new Map<string, Promise<boolean>>();

function postInOrder(topic: string, path: string, body: string): Promise<boolean> {
  const posted = (lastPost.get(topic) ?? Promise.resolve(true)).then(() => post(path, body));
  lastPost.set(topic, posted);
  return posted;
}

const TRUSTED_CALLER = { caller: 'svc:bench' };

function publishOne(topic: string, data: BenchPayload): Promise<boolean> {
  if (broker && mode === 'trusted') return publishRequest(broker, { topic, type: 'bench', data }, TRUSTED_CALLER).then(() => true, () => false);
  if (broker) return broker.publish([{ topic, type: 'bench', data }]).then(() => true, () => false);
  if (mode === 'nchan') return postInOrder(topic, `/pub/${topic}`, JSON.stringify(data));
  return postInOrder(topic, '/v1/publish', JSON.stringify({ topic, type: 'bench', data }));
}

async function publish(plan: PublishPlan): Promise<PublishResult> {
  const topics = planTopics(plan);
  const inFlight: Promise<boolean>[] = [];
  const published = await pace(plan.rate, plan.durationMs, (index) => {
    const topic = topics[index % topics.length]!;
    const n = (numbers.get(topic) ?? 0) + 1;
    numbers.set(topic, n);
    inFlight.push(publishOne(topic, { n, t: clockMs(), p: PAYLOAD_PAD }));
  });
  const outcomes = await Promise.all(inFlight);
  lastPost.clear();
  return { published, failed: outcomes.filter((ok) => !ok).length };
}

serveIpc(async (body: { op: 'ready' } | { op: 'publish'; plan: PublishPlan }) => {
  if (body.op === 'ready') {
    if (mode === 'broker' || mode === 'trusted') broker ??= await createBroker(url, { prefix: process.env.BENCH_PREFIX ?? 'bench' });
    return true;
  }
  return publish(body.plan);
});
