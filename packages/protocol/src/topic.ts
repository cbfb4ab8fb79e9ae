import { z } from 'zod';

/** Largest number of `/`-separated segments in a topic. @default 8 */
export const MAX_TOPIC_SEGMENTS = 8;
/** Longest topic segment. @default 64 */
export const MAX_TOPIC_SEGMENT_LENGTH = 64;

// Segments map 1:1 onto Redis keys and NATS subject tokens, so this pattern is what keeps
// key and subject injection (`.`, `*`, `>`, spaces) impossible.
const TOPIC_PATTERN = /^[A-Za-z0-9_-]{1,64}(?:\/[A-Za-z0-9_-]{1,64}){0,7}$/;
const MAX_TOPIC_LENGTH = MAX_TOPIC_SEGMENTS * (MAX_TOPIC_SEGMENT_LENGTH + 1) - 1;

/** True when `value` is a well-formed topic such as `rooms/lobby`. */
export function isValidTopic(value: unknown): boolean {
  return typeof value === 'string' && value.length <= MAX_TOPIC_LENGTH && TOPIC_PATTERN.test(value);
}

/** A topic: `/`-separated segments of `[A-Za-z0-9_-]{1,64}`, at most 8 of them. */
export const TopicSchema = z.string().refine(isValidTopic, {
  message: `a topic is 1-${MAX_TOPIC_SEGMENTS} "/"-separated segments of [A-Za-z0-9_-]{1,${MAX_TOPIC_SEGMENT_LENGTH}}`,
});
export type Topic = z.infer<typeof TopicSchema>;

/** First segment of the topics ssehub uses itself (node registry, lag probes); clients may not publish there. */
export const RESERVED_TOPIC_SEGMENT = '_ssehub';

/** True for topics under `_ssehub/`, which only ssehub itself writes. */
export function isReservedTopic(topic: string): boolean {
  return topic === RESERVED_TOPIC_SEGMENT || topic.startsWith(`${RESERVED_TOPIC_SEGMENT}/`);
}

/** A topic a client may publish to: any topic outside `_ssehub/`. */
export const PublishableTopicSchema = TopicSchema.refine((topic) => !isReservedTopic(topic), {
  message: `topics under "${RESERVED_TOPIC_SEGMENT}/" are reserved for ssehub itself`,
});
