import { jetstream, type JsMsg, type StreamInfo } from '@nats-io/jetstream';
import type { BackendHooks, BrokerBackend } from './broker.js';
import { BrokerError } from './errors.js';
import { NATS_LIVE_REQUEST_TIMEOUT_MS, startLiveFeed, type LiveFeed } from './nats-feed.js';
import { isNoStream, publishEvents } from './nats-publish.js';
import { latestOfSubject, readSubjects, type NatsLog } from './nats-read.js';
import type { NatsShared } from './nats-shared.js';
import { sendSignal } from './nats-signal.js';
import { streamCreatedAt, streamEpoch, subjectTopic, toStoredEvent, topicSubject, type StreamNames, type WantedStream } from './nats-stream.js';
import { StreamWatch } from './nats-watch.js';

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

/** One log of a process: its stream's names and configuration. */
export interface NatsStreamLog {
  readonly names: StreamNames;
  readonly config: WantedStream;
}

/** The backend of one stream (one partition), over the connection its process shares with the others. */
export function createNatsBackend(shared: NatsShared, { names, config }: NatsStreamLog, startEpoch: string, hooks: BackendHooks): BrokerBackend {
  const { link, js, jsm } = shared;
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
  const leave = shared.join({
    signal(signal) {
      if (listened.has(signal.topic)) hooks.signal(signal);
    },
    // After an outage, check at once whether the stream is still the one we followed.
    reconnected: () => void streamInfo().catch(() => {}),
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
        sendSignal(link.nc, shared.deployment, signal);
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
      await leave();
    },
  };
}
