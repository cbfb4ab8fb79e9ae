import { JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { PresenceStore } from './broker.js';
import { BrokerError } from './errors.js';
import type { StreamNames } from './nats-stream.js';

/** How long a presence record outlives its last write; far above any claim's TTL. @default 3600 */
const PRESENCE_MAX_AGE_S = 3600;

const encodeUser = (user: string): string => Buffer.from(user, 'utf8').toString('base64url');
const decodeUser = (token: string): string => Buffer.from(token, 'base64url').toString('utf8');

function toBrokerError(error: unknown): BrokerError {
  return error instanceof BrokerError ? error : new BrokerError('unavailable', `nats presence: ${String(error)}`, { cause: error });
}

/**
 * Presence records in a small JetStream stream of their own, one subject per (topic, user) holding only
 * its last message. A write names the subject's last sequence (`Nats-Expected-Last-Subject-Sequence`),
 * which makes it a compare-and-set; a delete writes an empty tombstone the same way.
 */
export async function createNatsPresenceStore(
  js: JetStreamClient,
  jsm: JetStreamManager,
  names: StreamNames,
  replicas: number,
): Promise<PresenceStore> {
  const stream = `${names.stream}_PRESENCE`;
  const root = `${names.prefix}__presence`;
  const config = {
    name: stream,
    subjects: [`${root}.>`],
    max_msgs_per_subject: 1,
    max_age: PRESENCE_MAX_AGE_S * 1_000_000_000,
    num_replicas: replicas,
  };
  await jsm.streams.add(config).catch(() => jsm.streams.update(stream, config));
  const subject = (topic: string, user: string): string => `${root}.${topic.replaceAll('/', '.')}.${encodeUser(user)}`;
  const parse = (subjectName: string): { topic: string; user: string } => {
    const tokens = subjectName.slice(root.length + 1).split('.');
    return { user: decodeUser(tokens.pop()!), topic: tokens.join('/') };
  };

  async function subjects(filter: string): Promise<string[]> {
    const info = await jsm.streams.info(stream, { subjects_filter: filter });
    return Object.keys(info.state.subjects ?? {});
  }

  return {
    async get<R>(topic: string, user: string) {
      try {
        const message = await jsm.streams.getMessage(stream, { last_by_subj: subject(topic, user) });
        if (!message || message.data.length === 0) return { record: null, revision: message ? String(message.seq) : null };
        return { record: message.json<R>(), revision: String(message.seq) };
      } catch (error) {
        if (error instanceof JetStreamApiError && error.status === 404) return { record: null, revision: null };
        throw toBrokerError(error);
      }
    },
    async put(topic, user, record, revision) {
      const payload = record ? JSON.stringify(record) : '';
      try {
        await js.publish(subject(topic, user), payload, { expect: { lastSubjectSequence: revision ? Number(revision) : 0 } });
        return true;
      } catch (error) {
        // 10071: the subject's last sequence was not the one named — someone else wrote first.
        if (error instanceof JetStreamApiError && error.code === 10071) return false;
        throw toBrokerError(error);
      }
    },
    async users(topic) {
      try {
        return (await subjects(`${root}.${topic.replaceAll('/', '.')}.*`)).map((name) => parse(name).user);
      } catch (error) {
        throw toBrokerError(error);
      }
    },
    async entries() {
      try {
        return (await subjects(`${root}.>`)).map(parse);
      } catch (error) {
        throw toBrokerError(error);
      }
    },
  };
}
