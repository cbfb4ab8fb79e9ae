import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { encodeCursor } from '@ssehub/protocol';
import type { PublishInput, StoredEvent } from './broker.js';
import { BrokerError } from './errors.js';

const NANOS_PER_SECOND = 1_000_000_000;
const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The names one deployment's stream is known by. */
export interface StreamNames {
  readonly stream: string;
  readonly prefix: string;
  /** `<prefix>.>`: every subject of the deployment. */
  readonly all: string;
}

/** Derives the stream name and subject space from a prefix, refusing prefixes that could inject subject tokens. */
export function streamNames(prefix: string): StreamNames {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new BrokerError('invalid_url', `the prefix "${prefix}" must be 1-64 characters of [A-Za-z0-9_-]`);
  }
  return { stream: prefix.toUpperCase(), prefix, all: `${prefix}.>` };
}

/**
 * The stream of each of `partitions` logs of a deployment: with one, the deployment's own stream (`<PREFIX>`
 * over `<prefix>.>`, as before partitions existed); with more, `<PREFIX>_<k>` over `<prefix>.<k>.>`.
 * A partition's `prefix` is `<prefix>.<k>`, so its topics' subjects are `<prefix>.<k>.<topic>`.
 */
export function partitionStreams(deployment: StreamNames, partitions: number): StreamNames[] {
  if (partitions === 1) return [deployment];
  return Array.from({ length: partitions }, (_, k) => ({
    stream: `${deployment.stream}_${k}`,
    prefix: `${deployment.prefix}.${k}`,
    all: `${deployment.prefix}.${k}.>`,
  }));
}

/** `rooms/lobby` → `<prefix>.rooms.lobby`; topic segments are validated upstream, so no `.`, `*` or `>` gets in. */
export function topicSubject(names: StreamNames, topic: string): string {
  return `${names.prefix}.${topic.replaceAll('/', '.')}`;
}

/** The inverse of {@link topicSubject}. */
export function subjectTopic(names: StreamNames, subject: string): string {
  return subject.slice(names.prefix.length + 1).replaceAll('.', '/');
}

/** Retention and replication settings of the stream. */
export interface StreamSettings {
  readonly maxPerTopic: number;
  readonly maxAgeS: number;
  readonly duplicateWindowS: number;
  readonly replicas: number;
}

/** The part of a stream configuration ssehub sets. */
export type WantedStream = Partial<StreamConfig> & Pick<StreamConfig, 'name' | 'subjects'>;

/** The stream's configuration: file storage, per-subject count limit, age limit, dedup window. */
export function streamConfig(names: StreamNames, settings: StreamSettings): WantedStream {
  return {
    name: names.stream,
    subjects: [names.all],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_msgs_per_subject: settings.maxPerTopic,
    max_age: settings.maxAgeS * NANOS_PER_SECOND,
    // JetStream refuses a duplicate window longer than max_age.
    duplicate_window: Math.min(settings.duplicateWindowS, settings.maxAgeS) * NANOS_PER_SECOND,
    num_replicas: settings.replicas,
  };
}

/** True when a JetStream API call failed because the stream does not exist. */
export function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

const TUNABLE = ['max_msgs_per_subject', 'max_age', 'duplicate_window', 'num_replicas'] as const;

/** Creates the stream, or brings an existing one to the wanted limits; refuses one that owns other subjects. */
export async function ensureStream(jsm: JetStreamManager, wanted: WantedStream): Promise<StreamInfo> {
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(wanted.name);
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
    // Another node may create it at the same moment; identical configs make that a no-op.
    return jsm.streams.add(wanted);
  }
  if (info.config.subjects?.join() !== wanted.subjects.join()) {
    throw new BrokerError('invalid_url', `stream ${wanted.name} exists with subjects ${info.config.subjects?.join()}, not ${wanted.subjects.join()}`);
  }
  if (TUNABLE.some((key) => info.config[key] !== wanted[key])) {
    info = await jsm.streams.update(wanted.name, { ...info.config, ...wanted });
  }
  return info;
}

/**
 * The stream's epoch: its creation time in nanoseconds, base36. A deleted and recreated stream
 * restarts its sequence at 1 and gets a new creation time, so old cursors are recognised.
 */
export function streamEpoch(info: StreamInfo): string {
  const match = /^(.*?)(?:\.(\d+))?Z$/.exec(info.created);
  const seconds = match ? Date.parse(`${match[1]}Z`) : Number.NaN;
  if (!match || Number.isNaN(seconds)) throw new BrokerError('unavailable', `stream created time "${info.created}" is unreadable`);
  const nanos = BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0').slice(0, 9));
  return nanos.toString(36);
}

/** When the stream of an epoch made by {@link streamEpoch} was created (ms since the Unix epoch). */
export function streamCreatedAt(epoch: string): number {
  let nanos = 0n;
  for (const digit of epoch) nanos = nanos * 36n + BigInt(parseInt(digit, 36));
  return Number(nanos / 1_000_000n);
}

/** What a message body holds; subject and sequence carry the rest of the envelope. */
interface EventBody {
  readonly type: string;
  readonly data: unknown;
  readonly ts: number;
}

/** Serialises one event into a message body. */
export function encodeBody(input: PublishInput, ts: number): string {
  const body: EventBody = { type: input.type, data: input.data, ts };
  return JSON.stringify(body);
}

/** A stored message as the fields every JetStream read API gives. */
export interface RawMessage {
  readonly seq: number;
  readonly subject: string;
  string(): string;
}

/** Rebuilds the envelope of a stored message. */
export function toStoredEvent(names: StreamNames, epoch: string, message: RawMessage): StoredEvent {
  const body = JSON.parse(message.string()) as EventBody;
  return {
    id: encodeCursor({ epoch, positions: [message.seq] }),
    seq: message.seq,
    topic: subjectTopic(names, message.subject),
    type: body.type,
    data: body.data,
    ts: body.ts,
  };
}
