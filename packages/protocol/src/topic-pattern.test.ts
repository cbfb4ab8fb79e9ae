import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SsehubError } from './errors.js';
import {
  SsehubClaimSchema,
  TopicPatternSchema,
  compileTopicPatterns,
  isValidTopicPattern,
  matchTopicPattern,
} from './topic-pattern.js';
import { isValidTopic } from './topic.js';

describe('matchTopicPattern', () => {
  it.each<[string, string, string | undefined, boolean]>([
    ['rooms/lobby', 'rooms/lobby', undefined, true],
    ['rooms/lobby', 'rooms/lobby2', undefined, false],
    ['rooms/*', 'rooms/lobby', undefined, true],
    ['rooms/*', 'rooms', undefined, false],
    ['rooms/*', 'rooms/a/b', undefined, false],
    ['rooms/**', 'rooms/a', undefined, true],
    ['rooms/**', 'rooms/a/b/c', undefined, true],
    ['rooms/**', 'rooms', undefined, false],
    ['**', 'a', undefined, true],
    ['**', 'a/b/c/d/e/f/g/h', undefined, true],
    ['*/x/**', 'a/x/y', undefined, true],
    ['*/x/**', 'a/y/x', undefined, false],
    ['users/{sub}/**', 'users/ana/notifications', 'ana', true],
    ['users/{sub}/**', 'users/bob/notifications', 'ana', false],
    ['users/{sub}/**', 'users/ana/notifications', undefined, false],
    ['users/{sub}', 'users/ana', 'ana', true],
  ])('%s against %s (sub %s) is %s', (pattern, topic, sub, expected) => {
    expect(matchTopicPattern(pattern, topic, sub)).toBe(expected);
    expect(compileTopicPatterns([pattern]).matches(topic, sub)).toBe(expected);
  });

  // A subject is attacker-influenced text in a signed token; it must never act as a wildcard or a path.
  it.each(['', '*', '**', 'ana/notifications', '..', 'a.b', 'a b', 'é', 'x'.repeat(65), '{sub}'])(
    'never lets the subject %j widen {sub}',
    (sub) => {
      for (const topic of ['users/ana/notifications', 'users/*/notifications', `users/${sub}/notifications`]) {
        expect(matchTopicPattern('users/{sub}/**', topic, sub)).toBe(false);
      }
    },
  );

  // ssehub's own topics are read through the admin API only; no grant may reach them.
  it.each(['**', '*/**', '*/*', '_ssehub/**', '_ssehub/nodes', '_ssehub/*'])('lets no pattern %j reach a reserved _ssehub topic', (pattern) => {
    for (const topic of ['_ssehub/nodes', '_ssehub/lag', '_ssehub/nodes/x']) {
      expect(matchTopicPattern(pattern, topic)).toBe(false);
      expect(compileTopicPatterns([pattern]).matches(topic)).toBe(false);
    }
    expect(matchTopicPattern(pattern, '_ssehubx/nodes')).toBe(pattern === '**' || pattern === '*/**' || pattern === '*/*');
  });

  it.each(['rooms/..', 'rooms/*', 'rooms.lobby', 'a//b', '', 'a/b/c/d/e/f/g/h/i'])('matches no invalid topic %j, not even with **', (topic) => {
    expect(matchTopicPattern('**', topic)).toBe(false);
    expect(compileTopicPatterns(['**']).matches(topic)).toBe(false);
  });
});

describe('topic pattern validation', () => {
  it.each(['a', 'a/*', '*', '**', 'users/{sub}/**', 'a/b/c/d/e/f/g/**', 'a/b/c/d/e/f/g/h'])('accepts %s', (pattern) => {
    expect(isValidTopicPattern(pattern)).toBe(true);
    expect(TopicPatternSchema.safeParse(pattern).success).toBe(true);
  });

  it.each(['', 'a/**/b', '**/a', 'a/***', 'a/{user}', 'a/x{sub}', 'a.>', 'a/>', 'a b', 'a/b/c/d/e/f/g/h/**', 'a/b/c/d/e/f/g/h/i', 'a/'])(
    'refuses %j',
    (pattern) => {
      expect(isValidTopicPattern(pattern)).toBe(false);
      expect(matchTopicPattern(pattern, 'a')).toBe(false);
      expect(() => compileTopicPatterns([pattern])).toThrow(SsehubError);
    },
  );

  it('reads the ssehub claim, missing lists meaning no grant', () => {
    expect(SsehubClaimSchema.parse({})).toEqual({ subscribe: [], publish: [] });
    expect(SsehubClaimSchema.parse({ subscribe: ['users/{sub}/**'] })).toEqual({ subscribe: ['users/{sub}/**'], publish: [] });
    expect(SsehubClaimSchema.safeParse({ subscribe: ['users/>'] }).success).toBe(false);
    expect(SsehubClaimSchema.safeParse({ subscribe: 'rooms/*' }).success).toBe(false);
  });
});

// An independent oracle: the pattern as a regular expression over the topic text.
function oracle(pattern: string, topic: string, subject: string | undefined): boolean {
  if (!isValidTopic(topic)) return false;
  const parts = pattern.split('/');
  const rest = parts.at(-1) === '**';
  if (rest) parts.pop();
  const body = parts
    .map((part) => (part === '*' ? '[^/]+' : part === '{sub}' ? (subject && /^[A-Za-z0-9_-]{1,64}$/.test(subject) ? subject : '(?!)') : part))
    .join('/');
  const source = rest ? (body === '' ? '.+' : `${body}/.+`) : body;
  return new RegExp(`^${source}$`).test(topic);
}

const word = fc.constantFrom('a', 'b', 'ana', 'x-1');
const topicArb = fc.array(word, { minLength: 1, maxLength: 8 }).map((parts) => parts.join('/'));
const patternArb = fc
  .tuple(fc.array(fc.oneof(word, fc.constant('*'), fc.constant('{sub}')), { minLength: 0, maxLength: 8 }), fc.boolean())
  .map(([parts, rest]) => (rest || parts.length === 0 ? [...parts.slice(0, 7), '**'] : parts).join('/'));
const subjectArb = fc.option(fc.oneof(word, fc.constantFrom('', '*', 'a/b', '**', 'é')), { nil: undefined });

describe('topic pattern properties', () => {
  it('agrees with a regular-expression oracle on generated patterns, topics and subjects', () => {
    fc.assert(
      fc.property(patternArb, topicArb, subjectArb, (pattern, topic, subject) => {
        expect(isValidTopicPattern(pattern)).toBe(true);
        expect(matchTopicPattern(pattern, topic, subject)).toBe(oracle(pattern, topic, subject));
      }),
      { numRuns: 20_000 },
    );
  });

  it('matches every valid topic by itself and by **, and a topic with a wildcard never', () => {
    fc.assert(
      fc.property(topicArb, (topic) => {
        expect(matchTopicPattern(topic, topic)).toBe(true);
        expect(matchTopicPattern('**', topic)).toBe(true);
        expect(matchTopicPattern(topic, topic.replace(/[^/]+$/, '*'))).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws, and matches nothing that is not a valid topic, for any strings', () => {
    const anyString = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }));
    fc.assert(
      fc.property(anyString, anyString, fc.option(anyString, { nil: undefined }), (pattern, topic, subject) => {
        const result = matchTopicPattern(pattern, topic, subject);
        if (result) expect(isValidTopic(topic) && isValidTopicPattern(pattern)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});
