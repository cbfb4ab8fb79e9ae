import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_TOPIC_SEGMENTS,
  MAX_TOPIC_SEGMENT_LENGTH,
  TopicSchema,
  isReservedTopic,
  isValidTopic,
} from './topic.js';

const segment64 = 'a'.repeat(MAX_TOPIC_SEGMENT_LENGTH);
const eightSegments = Array.from({ length: MAX_TOPIC_SEGMENTS }, (_, i) => `s${i}`).join('/');

const VALID: readonly string[] = [
  'rooms',
  'rooms/lobby',
  'users/42/notifications',
  'A-Z_a-z-0-9',
  '_',
  '-',
  segment64,
  eightSegments,
  Array.from({ length: MAX_TOPIC_SEGMENTS }, () => segment64).join('/'),
];

const INVALID: readonly [string, string][] = [
  ['empty string', ''],
  ['NATS token separator', 'rooms.lobby'],
  ['double dot', 'rooms/..'],
  ['single dot segment', 'rooms/.'],
  ['NATS single-token wildcard', 'rooms/*'],
  ['NATS tail wildcard', 'rooms/>'],
  ['space inside', 'rooms/lob by'],
  ['leading space', ' rooms'],
  ['trailing newline', 'rooms\n'],
  ['NUL', 'rooms\0'],
  ['Redis glob chars', 'rooms/[a]?'],
  ['colon (Redis key separator)', 'rooms:lobby'],
  ['unicode letters', 'räume/lobby'],
  ['emoji', 'rooms/💬'],
  ['fullwidth digit', 'rooms/１'],
  ['empty middle segment', 'rooms//lobby'],
  ['leading slash', '/rooms/lobby'],
  ['trailing slash', 'rooms/lobby/'],
  ['only a slash', '/'],
  ['nine segments', `${eightSegments}/s8`],
  ['65-character segment', 'a'.repeat(MAX_TOPIC_SEGMENT_LENGTH + 1)],
  ['65-character last segment', `rooms/${'a'.repeat(MAX_TOPIC_SEGMENT_LENGTH + 1)}`],
  ['100 KB string', 'a'.repeat(100 * 1024)],
  ['100 KB of segments', 'a/'.repeat(50 * 1024).slice(0, -1)],
];

describe('topic rules', () => {
  it.each(VALID)('accepts %j', (topic) => {
    expect(isValidTopic(topic)).toBe(true);
    expect(TopicSchema.safeParse(topic).success).toBe(true);
  });

  it.each(INVALID)('rejects %s', (_name, topic) => {
    expect(isValidTopic(topic)).toBe(false);
    const result = TopicSchema.safeParse(topic);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/segments/);
  });

  it('rejects values that are not strings', () => {
    for (const value of [undefined, null, 42, ['rooms'], { topic: 'rooms' }]) {
      expect(isValidTopic(value)).toBe(false);
      expect(TopicSchema.safeParse(value).success).toBe(false);
    }
  });

  // The length is checked before the pattern, so a long hostile string never reaches the regex.
  it('rejects a 100 KB string, even one that is segments all but its last character', () => {
    expect(isValidTopic(`${'a/'.repeat(50 * 1024)}!`)).toBe(false);
    expect(isValidTopic('a/'.repeat(50 * 1024).slice(0, -1))).toBe(false);
  });

  it('accepts exactly the strings made of 1-8 segments of [A-Za-z0-9_-]{1,64}', () => {
    const segmentChar = fc.constantFrom(...'abcXYZ019_-'.split(''));
    const segment = fc.string({ unit: segmentChar, minLength: 1, maxLength: MAX_TOPIC_SEGMENT_LENGTH });
    const topic = fc.array(segment, { minLength: 1, maxLength: MAX_TOPIC_SEGMENTS }).map((s) => s.join('/'));
    fc.assert(fc.property(topic, (value) => isValidTopic(value)), { numRuns: 500 });
  });

  it('never accepts a string with a character outside [A-Za-z0-9_/-]', () => {
    const anything = fc.string({ unit: 'binary', maxLength: 80 });
    fc.assert(
      fc.property(anything, (value) => {
        if (isValidTopic(value)) expect(value).toMatch(/^[A-Za-z0-9_/-]+$/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('reserved topics', () => {
  it('refuses publishing under _ssehub/, where node registry and lag probes live', async () => {
    const { PublishRequestSchema } = await import('./api.js');
    expect(isReservedTopic('_ssehub/lag')).toBe(true);
    expect(isReservedTopic('_ssehub')).toBe(true);
    expect(isReservedTopic('rooms/_ssehub')).toBe(false);
    expect(isReservedTopic('_ssehubx/a')).toBe(false);
    expect(PublishRequestSchema.safeParse({ topic: '_ssehub/lag', type: 'x', data: 1 }).success).toBe(false);
    expect(PublishRequestSchema.safeParse({ topic: 'rooms/_ssehub', type: 'x', data: 1 }).success).toBe(true);
  });
});
