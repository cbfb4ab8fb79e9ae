import { SsehubError, isValidTopic } from '@ssehub/protocol';

/**
 * The topic named by a part of a URL path, as the client sent it (still percent-encoded): both
 * `rooms/lobby` and `rooms%2Flobby` name `rooms/lobby`. Throws an `invalid_topic` {@link SsehubError}
 * for bad percent-encoding or a string that is not a topic. Every route with a topic in its path
 * (presence, admin, history) decodes it here.
 */
export function decodeTopicPath(raw: string): string {
  let topic: string;
  try {
    topic = decodeURIComponent(raw);
  } catch {
    throw new SsehubError('invalid_topic', 'the topic is not valid percent-encoding');
  }
  if (!isValidTopic(topic)) {
    throw new SsehubError('invalid_topic', `"${topic.slice(0, 80)}" is not a topic: 1-8 "/"-separated segments of [A-Za-z0-9_-]{1,64}`);
  }
  return topic;
}
