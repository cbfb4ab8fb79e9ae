import { z } from 'zod';
import { SsehubError } from './errors.js';
import { MAX_TOPIC_SEGMENTS, isReservedTopic, isValidTopic } from './topic.js';

/** Most patterns one token claim or one setting may list. @default 64 */
export const MAX_TOPIC_PATTERNS = 64;

const LITERAL_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const ONE = 0;
const SUBJECT = 1;
// A compiled segment: a literal, any one segment, or the token's subject.
type Segment = string | typeof ONE | typeof SUBJECT;

/** A pattern ready to match: its segments, and whether a final `**` takes the rest. */
interface CompiledPattern {
  readonly segments: readonly Segment[];
  readonly rest: boolean;
}

function compile(pattern: unknown): CompiledPattern | null {
  if (typeof pattern !== 'string' || pattern.length > MAX_TOPIC_SEGMENTS * 65) return null;
  const parts = pattern.split('/');
  if (parts.length > MAX_TOPIC_SEGMENTS) return null;
  const rest = parts.at(-1) === '**';
  if (rest) parts.pop();
  const segments: Segment[] = [];
  for (const part of parts) {
    if (part === '*') segments.push(ONE);
    else if (part === '{sub}') segments.push(SUBJECT);
    else if (LITERAL_SEGMENT.test(part)) segments.push(part);
    else return null;
  }
  return { segments, rest };
}

/**
 * Topics a pattern may grant: valid ones outside `_ssehub/`. ssehub's own topics (node registry, lag
 * probes) are read through the admin API only, never through `**`, a token claim or `PUBLIC_TOPICS`.
 */
function isGrantable(topic: string): boolean {
  return isValidTopic(topic) && !isReservedTopic(topic);
}

function matches(compiled: CompiledPattern, parts: readonly string[], subject: string | undefined): boolean {
  const { segments, rest } = compiled;
  if (rest ? parts.length <= segments.length : parts.length !== segments.length) return false;
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i];
    if (segment === ONE) continue;
    // A subject that is not itself one valid segment ("a/b", "*", "") must never widen a grant.
    if (segment === SUBJECT ? subject === undefined || !LITERAL_SEGMENT.test(subject) || parts[i] !== subject : parts[i] !== segment) {
      return false;
    }
  }
  return true;
}

/** True when `value` is a topic pattern: 1-8 segments, each a topic segment, `*`, `{sub}`, or a final `**`. */
export function isValidTopicPattern(value: unknown): boolean {
  return compile(value) !== null;
}

/**
 * True when `topic` matches `pattern`: `*` is one segment, a final `**` one or more, `{sub}` the
 * subject (which must be one valid segment). Never throws; an invalid pattern or topic matches nothing,
 * and neither does a reserved `_ssehub/` topic.
 */
export function matchTopicPattern(pattern: string, topic: string, subject?: string): boolean {
  const compiled = compile(pattern);
  return compiled !== null && isGrantable(topic) && matches(compiled, topic.split('/'), subject);
}

/** A list of compiled patterns. */
export interface TopicPatternSet {
  readonly patterns: readonly string[];
  /** True when any pattern matches `topic`, `{sub}` standing for `subject`. */
  matches(topic: string, subject?: string): boolean;
}

/** Compiles patterns once for many matches; throws a `bad_request` {@link SsehubError} naming an invalid one. */
export function compileTopicPatterns(patterns: readonly string[]): TopicPatternSet {
  const compiled = patterns.map((pattern) => {
    const result = compile(pattern);
    if (!result) throw new SsehubError('bad_request', `"${String(pattern).slice(0, 80)}" is not a topic pattern`);
    return result;
  });
  const frozen = Object.freeze([...patterns]);
  return {
    patterns: frozen,
    matches(topic, subject) {
      if (compiled.length === 0 || !isGrantable(topic)) return false;
      const parts = topic.split('/');
      return compiled.some((pattern) => matches(pattern, parts, subject));
    },
  };
}

/** A topic pattern such as `rooms/*`, `users/{sub}/**` or `**`. */
export const TopicPatternSchema = z.string().refine(isValidTopicPattern, {
  message: 'a topic pattern is 1-8 "/"-separated segments of [A-Za-z0-9_-]{1,64}, "*", "{sub}", or a final "**"',
});

/** The `ssehub` claim of a token: the topic patterns it may subscribe and publish to. */
export const SsehubClaimSchema = z.object({
  subscribe: z.array(TopicPatternSchema).max(MAX_TOPIC_PATTERNS).default([]),
  publish: z.array(TopicPatternSchema).max(MAX_TOPIC_PATTERNS).default([]),
});
export type SsehubClaim = z.infer<typeof SsehubClaimSchema>;
