import { SsehubError } from '@ssehub/protocol';
import { describe, expect, it } from 'vitest';
import { decodeTopicPath } from './topic-path.js';

function refusal(raw: string): SsehubError {
  try {
    decodeTopicPath(raw);
  } catch (error) {
    if (error instanceof SsehubError) return error;
    throw error;
  }
  throw new Error(`${raw} was accepted`);
}

describe('decodeTopicPath', () => {
  it('reads a topic whether its slashes arrive plain or percent-encoded', () => {
    expect(decodeTopicPath('rooms/lobby')).toBe('rooms/lobby');
    expect(decodeTopicPath('users%2F7%2Finbox')).toBe('users/7/inbox');
    expect(decodeTopicPath('a_b-C')).toBe('a_b-C');
  });

  it.each(['', 'a.b', 'a//b', 'a%20b', 'a%2F%2Fb', 'rooms/*', `${'a/'.repeat(8)}a`, 'r%C3%A9union'])(
    'refuses %j as invalid_topic naming the topic',
    (raw) => {
      const error = refusal(raw);
      expect(error.code).toBe('invalid_topic');
      expect(error.message).toMatch(/is not a topic/);
    },
  );

  it('refuses bad percent-encoding as invalid_topic', () => {
    expect(refusal('rooms%E0').message).toBe('the topic is not valid percent-encoding');
    expect(refusal('%zz').code).toBe('invalid_topic');
  });

  it('cuts a long refused topic to 80 characters in the message', () => {
    expect(refusal('x'.repeat(10_000)).message).toBe(`"${'x'.repeat(80)}" is not a topic: 1-8 "/"-separated segments of [A-Za-z0-9_-]{1,64}`);
  });
});
