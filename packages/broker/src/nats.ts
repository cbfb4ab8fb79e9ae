import { jetstream, jetstreamManager, JetStreamApiError, type JsMsg, type StreamInfo } from '@nats-io/jetstream';
import type { BackendHooks, Broker, BrokerBackend, CreateBrokerOptions } from './broker.js';
import { composeBroker } from './compose-broker.js';
import { BrokerError } from './errors.js';
import { IDEMPOTENCY_TTL_MS } from './idempotency-cache.js';
import { DEFAULT_HISTORY_MAX_AGE_S, DEFAULT_HISTORY_MAX_PER_TOPIC } from './retention-defaults.js';
import { connectNats, type NatsLink } from './nats-connection.js';
import { NATS_LIVE_REQUEST_TIMEOUT_MS, startLiveFeed, type LiveFeed } from './nats-feed.js';
import { isNoStream, publishEvents } from './nats-publish.js';
import { sendSignal, subscribeSignals } from './nats-signal.js';
import { latestOfSubject, readSubjects, type NatsLog } from './nats-read.js';
import { parseNatsUrl } from './nats-url.js';
import { StreamWatch } from './nats-watch.js';
import {
  ensureStream,
  streamConfig,
  streamCreatedAt,
  streamEpoch,
  streamNames,
  subjectTopic,
  toStoredEvent,
  topicSubject,
  type WantedStream,
} from './nats-stream.js';
import { createNatsPresenceStore } from './nats-presence.js';

/** Options of {@link createNatsBroker}. */
export interface NatsBrokerOptions extends CreateBrokerOptions {
  /** `nats://[user:pass@]host:port[,host:port][?replicas=N]`. */
  readonly url: string;
  /** Replicas of the stream (3 on a 3-node cluster); also `?replicas=3` in the URL. @default 1 */
  readonly replicas?: number;
}

/** Longest a JetStream request (publish, read, stream info) may take before it fails, in ms. @default 5000 */
export const NATS_REQUEST_TIMEOUT_MS = 5000;

/** Runs one backend operation, reporting any failure of NATS as a BrokerError "unavailable". */
async function guarded<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof BrokerError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new BrokerError('unavailable', `nats: ${what} failed: ${reason}`, { cause: error });
  }
}

interface NatsContext extends Pick<NatsLog, 'js' | 'jsm' | 'names'> {
  readonly link: NatsLink;
  readonly config: WantedStream;
}

function createNatsBackend({ link, js, jsm, names, config }: NatsContext, startEpoch: string, hooks: BackendHooks): BrokerBackend {
  let closed = false;
  let feed: Promise<LiveFeed> | null = null;
  const listened = new Set<string>();
  const watch = new StreamWatch(jsm, config, startEpoch, () => {
    const old = feed;
    feed = null;
    void old?.then((running) => running.stop()).catch(() => {});
    hooks.fail(new BrokerError('epoch_changed', `nats: stream ${names.stream} was deleted or recreated; its sequence restarted`));
  });
  const streamInfo = (): Promise<StreamInfo> => watch.info();
  const feedJs = jetstream(link.nc, { timeout: NATS_LIVE_REQUEST_TIMEOUT_MS });
  const signals = subscribeSignals(link.nc, names, (signal) => {
    if (listened.has(signal.topic)) hooks.signal(signal);
  });

  function assertUsable(): void {
    if (closed) throw new BrokerError('closed', 'the nats broker was closed');
    if (!link.isConnected()) throw new BrokerError('unavailable', 'nats: not connected (reconnecting)');
  }

  /** The log as of now: an operation labels its events with the epoch it started in, never an empty one. */
  async function current(): Promise<NatsLog> {
    assertUsable();
    if (watch.epoch === '') await streamInfo();
    return { js, jsm, names, epoch: watch.epoch, consumerReads: (config.num_replicas ?? 1) === 1 };
  }

  function onLiveMessage(feedEpoch: string, message: JsMsg): void {
    if (feedEpoch !== watch.epoch || !listened.has(subjectTopic(names, message.subject))) return;
    try {
      hooks.deliver(toStoredEvent(names, feedEpoch, message));
    } catch {
      // A foreign message under our prefix (or a throwing listener) must not stop the node's only feed.
    }
  }

  async function startFeed(): Promise<LiveFeed> {
    const info = await streamInfo();
    const feedEpoch = streamEpoch(info);
    return startLiveFeed(feedJs, names, info.state.last_seq + 1, {
      message: (message) => onLiveMessage(feedEpoch, message),
      async resumed() {
        const same = streamEpoch(await streamInfo()) === feedEpoch;
        // The consumer went on after its last seen seq, but retention may have removed events meanwhile.
        if (same) void hooks.resync();
        return same;
      },
      lost: () => void streamInfo().catch(() => {}),
      connected: () => link.isConnected(),
    });
  }

  return {
    kind: 'nats',
    append: (inputs, { idempotencyKey }) =>
      guarded('publish', async () => {
        try {
          return await publishEvents(await current(), inputs, idempotencyKey);
        } catch (error) {
          if (!isNoStream(error)) throw error;
          await streamInfo();
          return publishEvents(await current(), inputs, idempotencyKey);
        }
      }),
    signal: (signal) =>
      guarded('signal', async () => {
        assertUsable();
        sendSignal(link.nc, names, signal);
      }),
    read: (topics, after, limit) =>
      guarded('read', async () => {
        const subjects = topics.map((topic) => topicSubject(names, topic));
        return readSubjects(await current(), subjects, after, limit);
      }),
    latest: (topic, limit) => guarded('history', async () => latestOfSubject(await current(), topicSubject(names, topic), limit)),
    head: () =>
      guarded('stream info', async () => {
        assertUsable();
        const info = await streamInfo();
        return { epoch: streamEpoch(info), seq: info.state.last_seq };
      }),
    originOf: streamCreatedAt,
    listen: (topic) =>
      guarded('live subscription', async () => {
        assertUsable();
        listened.add(topic);
        const starting = (feed ??= startFeed());
        starting.catch(() => {
          if (feed === starting) feed = null;
        });
        await starting;
      }),
    async unlisten(topic) {
      listened.delete(topic);
    },
    ping: () =>
      guarded('ping', async () => {
        assertUsable();
        await streamInfo();
      }),
    async close() {
      if (closed) return;
      closed = true;
      const running = feed;
      feed = null;
      await running?.then((live) => live.stop()).catch(() => {});
      signals.unsubscribe();
      // Draining needs the server; while reconnecting there is nothing to flush.
      await (link.isConnected() ? link.nc.drain() : link.nc.close()).catch(() => link.nc.close());
    },
  };
}

/** Creates or updates the stream at start, retrying while JetStream is not ready (a cluster electing its leader). */
async function openStream({ link, jsm, config }: NatsContext, onRetry?: (message: string) => void): Promise<StreamInfo> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureStream(jsm, config);
    } catch (error) {
      const permanent = error instanceof BrokerError || (error instanceof JetStreamApiError && error.status < 500);
      if (permanent || link.nc.isClosed()) throw error;
      onRetry?.(`nats: stream ${config.name} not ready (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** A broker over one JetStream stream per deployment: `<PREFIX>` over `<prefix>.>`, ids = stream sequence + epoch. */
export async function createNatsBroker(options: NatsBrokerOptions): Promise<Broker> {
  const names = streamNames(options.prefix ?? 'ssehub');
  const replicas = options.replicas ?? parseNatsUrl(options.url).replicas ?? 1;
  const config = streamConfig(names, {
    maxPerTopic: options.historyMaxPerTopic ?? DEFAULT_HISTORY_MAX_PER_TOPIC,
    maxAgeS: options.historyMaxAgeS ?? DEFAULT_HISTORY_MAX_AGE_S,
    duplicateWindowS: IDEMPOTENCY_TTL_MS / 1000,
    replicas,
  });
  let backend: BrokerBackend | undefined;
  // After an outage, check at once whether the stream is still the one we followed.
  const link = await connectNats(options.url, { onRetry: options.onRetry, onReconnect: () => void backend?.head().catch(() => {}) });
  try {
    const js = jetstream(link.nc, { timeout: NATS_REQUEST_TIMEOUT_MS });
    const jsm = await jetstreamManager(link.nc, { timeout: NATS_REQUEST_TIMEOUT_MS });
    const context: NatsContext = { link, js, jsm, names, config };
    const epoch = streamEpoch(await openStream(context, options.onRetry));
    const presence = await createNatsPresenceStore(js, jsm, names, replicas);
    return composeBroker((hooks) => (backend = createNatsBackend(context, epoch, hooks)), presence);
  } catch (error) {
    await link.nc.close();
    throw error;
  }
}
