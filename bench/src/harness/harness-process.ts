import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { createMemoryBroker, publishRequest } from '@ssehub/broker';
import { createGatewayApp, loadGatewayConfig } from '@ssehub/gateway';
import { createAccessPolicy, createHttpServer, createLogger, sendError } from '@ssehub/service-kit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Registry } from 'prom-client';
import { serveIpc } from '../ipc.js';
import { PAYLOAD_PAD, clockMs, pace, planTopics, type PublishPlan } from '../publisher/pacer.js';
import type { HarnessRequest, PublishResult } from './harness-protocol.js';

// The gateway exactly as main.ts builds it, over the memory broker, with an in-process publisher:
// the bench drives it over IPC, so publishing costs no HTTP and no second process.
const config = loadGatewayConfig({ ...process.env, BROKER_URL: 'memory://', NODE_ID: 'bench', LOG_LEVEL: 'warn', PUBLIC_TOPICS: '**', MAX_CONNECTIONS_PER_IP: '0', MAX_CONNECTIONS_PER_USER: '0' });
const logger = createLogger({ service: 'bench-harness', node: 'bench', level: 'warn' });
const broker = createMemoryBroker({ historyMaxPerTopic: 100 });
const access = createAccessPolicy({ config, jose: { jwtVerify, createRemoteJWKSet } });
const app = createGatewayApp({ broker, config, logger, registry: new Registry(), access });
const server = createHttpServer((req, res) => {
  if (!app.handle(req, res)) sendError(res, 'not_found', 'the bench harness serves /v1/events only');
});
const listening = new Promise<number>((resolve) => {
  server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
});
const numbers = new Map<string, number>();
// BENCH_TRUSTED_PUBLISH=1: publish as a trusted backend does (S5), through publishRequest: ingest's
// validation, ids and answers, without HTTP. Otherwise broker.publish, the bare append (S1, S3).
const trusted = process.env.BENCH_TRUSTED_PUBLISH === '1';
const TRUSTED_CALLER = { caller: 'svc:bench' };

async function publish(plan: PublishPlan): Promise<PublishResult> {
  const topics = planTopics(plan);
  let failed = 0;
  const published = await pace(plan.rate, plan.durationMs, (index) => {
    const topic = topics[index % topics.length]!;
    const n = (numbers.get(topic) ?? 0) + 1;
    numbers.set(topic, n);
    const event = { topic, type: 'bench', data: { n, t: clockMs(), p: PAYLOAD_PAD } };
    (trusted ? publishRequest(broker, event, TRUSTED_CALLER) : broker.publish([event])).catch(() => failed++);
  });
  return { published, failed };
}

// Profiles only the measured steps (not start-up and connection storms), when the bench asks.
const inspector = new Session();
const post = (method: string, params?: object): Promise<unknown> =>
  new Promise((resolve, reject) => inspector.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));

async function stopProfile(file: string): Promise<string> {
  const { profile } = (await post('Profiler.stop')) as { profile: unknown };
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

serveIpc(async (request: HarnessRequest) => {
  switch (request.op) {
    case 'port':
      return listening;
    case 'publish':
      return publish(request.plan);
    case 'gc':
      (globalThis as { gc?: () => void }).gc?.();
      return true;
    case 'connections':
      return app.connectionCount();
    case 'memory':
      return process.memoryUsage();
    case 'profile-start':
      inspector.connect();
      await post('Profiler.enable');
      return post('Profiler.start');
    case 'profile-stop':
      return stopProfile(request.file);
  }
});
