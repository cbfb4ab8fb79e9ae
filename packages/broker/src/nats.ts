import { jetstream, jetstreamManager, JetStreamApiError, type JsMsg, type PubAck, type StreamInfo } from '@nats-io/jetstream';
import { encodeCursor } from '@ssehub/protocol';
import type { BackendHooks, Broker, BrokerBackend, PublishInput, StoredEvent } from './broker.js';
import { composeBroker } from './compose-broker.js';
import type { CreateBrokerOptions } from './create-broker.js';
import { BrokerError } from './errors.js';
import { IDEMPOTENCY_TTL_MS } from './idempotency-cache.js';
import { DEFAULT_HISTORY_MAX_AGE_S, DEFAULT_HISTORY_MAX_PER_TOPIC } from './memory.js';
import { mergePages } from './merge-pages.js';
import { connectNats, type NatsLink } from './nats-connection.js';
import { startLiveFeed, type LiveFeed } from './nats-feed.js';
import { latestOfSubject, mayHaveDropped, readSubject, type NatsLog } from './nats-read.js';
import {
  encodeBody,
  ensureStream,
  isStreamNotFound,
  streamConfig,
  streamEpoch,
  streamNames,
  toStoredEvent,
  topicSubject,
  subjectTopic,
  type WantedStream,
} from './nats-stream.js';

/** Options of {@link createNatsBroker}. */
export interface NatsBrokerOptions extends CreateBrokerOptions {
  /** `nats://[user:pass@]host:port[,host:port]`. */
  readonly url: string;
  /** Replicas of the stream (3 on a 3-node cluster). @default 1 */
  readonly replicas?: number;
}

/** Longest a JetStream request (publish, read, stream info) may take before it fails, in ms. @default 5000 */
export const NATS_REQUEST_TIMEOUT_MS = 5000;

interface NatsContext {
  readonly link: NatsLink;
  readonly log: Omit<NatsLog, 'epoch'>;
  readonly config: WantedStream;
  readonly epoch: string;
}

function unavailable(what: string, error: unknown): Error {
  if (error instanceof BrokerError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new BrokerError('unavailable', `nats: ${what} failed: ${reason}`, { cause: error });
}

/** Runs one backend operation, reporting any failure of NATS as a BrokerError "unavailable". */
async function guarded<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw unavailable(what, error);
  }
}

function createNatsBackend(context: NatsContext, hooks: BackendHooks): BrokerBackend {
  const { link, config } = context;
  const { js, jsm, names } = context.log;
  let epoch = context.epoch;
  let closed = false;
  let feed: Promise<LiveFeed> | null = null;
  let recreating: Promise<StreamInfo> | null = null;
  const listened = new Set<string>();
  const log: NatsLog = { ...context.log, epoch: () => epoch };

  function assertUsable(): void {
    if (closed) throw new BrokerError('closed', 'the nats broker was closed');
    if (!link.isConnected()) throw new BrokerError('unavailable', 'nats: not connected (reconnecting)');
  }

  /** A stream with a new creation time is a new log: every subscription ends and the feed starts over. */
  function observe(info: StreamInfo): void {
    const seen = streamEpoch(info);
    if (seen === epoch) return;
    epoch = seen;
    const old = feed;
    feed = null;
    void old?.then((running) => running.stop()).catch(() => {});
    hooks.fail(new BrokerError('epoch_changed', `nats: stream ${names.stream} was recreated; its sequence restarted`));
  }

  /** The stream's state now, recreating the stream when it vanished. */
  async function streamInfo(): Promise<StreamInfo> {
    let info: StreamInfo;
    try {
      info = await jsm.streams.info(names.stream);
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
      recreating ??= ensureStream(jsm, config).finally(() => (recreating = null));
      info = await recreating;
    }
    observe(info);
    return info;
  }

  function onLiveMessage(feedEpoch: string, message: JsMsg): void {
    if (feedEpoch !== epoch) return;
    const topic = subjectTopic(names, message.subject);
    if (!listened.has(topic)) return;
    try {
      hooks.deliver(toStoredEvent(names, epoch, message));
    } catch {
      // A foreign message under our prefix (or a throwing listener) must not stop the node's only feed.
    }
  }

  async function startFeed(): Promise<LiveFeed> {
    const info = await streamInfo();
    const feedEpoch = streamEpoch(info);
    return startLiveFeed(js, names, info.state.last_seq + 1, {
      message: (message) => onLiveMessage(feedEpoch, message),
      async resumed() {
        const same = streamEpoch(await streamInfo()) === feedEpoch;
        // The consumer resumed after its last seen seq, but retention may have removed events meanwhile.
        if (same) void hooks.resync();
        return same;
      },
      lost: () => void streamInfo().catch(() => {}),
    });
  }

  async function publishAll(inputs: readonly PublishInput[], key: string | undefined, ts: number): Promise<PubAck[]> {
    // Sent back to back on one connection, so the stream stores them in this order (checked by the conformance suite).
    return Promise.all(
      inputs.map((input, index) => {
        const msgID = key === undefined ? undefined : inputs.length === 1 ? key : `${key}:${index}`;
        return js.publish(topicSubject(names, input.topic), encodeBody(input, ts), msgID === undefined ? undefined : { msgID });
      }),
    );
  }

  /** A repeated idempotency key: the stored original, or the input again when retention already removed it. */
  async function original(seq: number, input: PublishInput, ts: number): Promise<StoredEvent> {
    const message = await jsm.streams.getMessage(names.stream, { seq });
    if (message) return toStoredEvent(names, epoch, message);
    return { id: encodeCursor({ epoch, positions: [seq] }), seq, topic: input.topic, type: input.type, data: input.data, ts };
  }

  return {
    kind: 'nats',
    append: (inputs, { idempotencyKey }) =>
      guarded('publish', async () => {
        assertUsable();
        const ts = Date.now();
        let acks: PubAck[];
        try {
          acks = await publishAll(inputs, idempotencyKey, ts);
        } catch (error) {
          // No responders: the stream is gone. Recreate it (a new epoch) and publish once more.
          if (!(error instanceof Error && error.name === 'JetStreamNotEnabled')) throw error;
          await streamInfo();
          acks = await publishAll(inputs, idempotencyKey, ts);
        }
        return Promise.all(
          acks.map((ack, index) => {
            const input = inputs[index]!;
            if (ack.duplicate) return original(ack.seq, input, ts);
            const id = encodeCursor({ epoch, positions: [ack.seq] });
            return { id, seq: ack.seq, topic: input.topic, type: input.type, data: input.data, ts };
          }),
        );
      }),
    read: (topics, after, limit) =>
      guarded('read', async () => {
        assertUsable();
        const subjects = topics.map((topic) => topicSubject(names, topic));
        const pages = await Promise.all(subjects.map((subject) => readSubject(log, subject, after, limit)));
        const dropped = await Promise.all(subjects.map((subject, i) => mayHaveDropped(log, subject, after, pages[i]![0]?.seq)));
        return { events: mergePages(pages, limit), truncated: dropped.includes(true) };
      }),
    latest: (topic, limit) =>
      guarded('history', async () => {
        assertUsable();
        return latestOfSubject(log, topicSubject(names, topic), limit);
      }),
    head: () =>
      guarded('stream info', async () => {
        assertUsable();
        const info = await streamInfo();
        return { epoch, seq: info.state.last_seq };
      }),
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
      await link.nc.drain().catch(() => link.nc.close());
    },
  };
}

function isConfigError(error: unknown): boolean {
  return error instanceof BrokerError || (error instanceof JetStreamApiError && error.status < 500);
}

async function openStream(context: Omit<NatsContext, 'epoch'>, onRetry?: (message: string) => void): Promise<StreamInfo> {
  const { log, config } = context;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureStream(log.jsm, config);
    } catch (error) {
      // A bad configuration never heals; a cluster still electing its leader does.
      if (isConfigError(error) || context.link.nc.isClosed()) throw error;
      onRetry?.(`nats: stream ${config.name} not ready (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** A broker over one JetStream stream per deployment: `<PREFIX>` over `<prefix>.>`, ids = stream sequence + epoch. */
export async function createNatsBroker(options: NatsBrokerOptions): Promise<Broker> {
  const names = streamNames(options.prefix ?? 'ssehub');
  const maxAgeS = options.historyMaxAgeS ?? DEFAULT_HISTORY_MAX_AGE_S;
  const config = streamConfig(names, {
    maxPerTopic: options.historyMaxPerTopic ?? DEFAULT_HISTORY_MAX_PER_TOPIC,
    maxAgeS,
    duplicateWindowS: IDEMPOTENCY_TTL_MS / 1000,
    replicas: options.replicas ?? 1,
  });
  let onReconnect = (): void => {};
  const link = await connectNats(options.url, { onRetry: options.onRetry, onReconnect: () => onReconnect() });
  try {
    const log = {
      js: jetstream(link.nc, { timeout: NATS_REQUEST_TIMEOUT_MS }),
      jsm: await jetstreamManager(link.nc, { timeout: NATS_REQUEST_TIMEOUT_MS }),
      names,
    };
    const info = await openStream({ link, log, config }, options.onRetry);
    let backend: BrokerBackend | undefined;
    const broker = composeBroker((hooks) => (backend = createNatsBackend({ link, log, config, epoch: streamEpoch(info) }, hooks)));
    // After an outage, check at once whether the stream is still the same one.
    onReconnect = () => void backend?.head().catch(() => {});
    return broker;
  } catch (error) {
    await link.nc.close();
    throw error;
  }
}
