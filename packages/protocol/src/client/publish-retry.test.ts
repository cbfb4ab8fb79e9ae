import { describe, expect, it } from 'vitest';
import { SsehubError } from '../errors.js';
import { isRetryable, noteRetryAfter, withRetries } from './publish-retry.js';

describe('publish retries', () => {
  it.each([
    [new TypeError('fetch failed'), true],
    [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), true],
    [new SsehubError('unavailable', 'away', 503), true],
    [new SsehubError('rate_limited', 'slow down', 429), true],
    [new SsehubError('internal', 'bad gateway', 502), true],
    [new SsehubError('invalid_event', 'no', 400), false],
    [new SsehubError('unauthorized', 'no', 401), false],
    [new SsehubError('forbidden', 'no', 403), false],
    [new SsehubError('payload_too_large', 'no', 413), false],
    [new SsehubError('internal', 'broken', 500), false],
    [new SyntaxError('bad json'), false],
  ])('%s is retryable: %s', (error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });

  it('tries again until it succeeds, within the attempts', async () => {
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw new SsehubError('unavailable', 'away', 503);
        return 'ok';
      },
      { baseDelayMs: 1 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('stops at once on an error a retry cannot cure, and after the last attempt otherwise', async () => {
    let calls = 0;
    const refused = new SsehubError('invalid_topic', 'no', 400);
    await expect(withRetries(async () => ((calls++, Promise.reject(refused))), { baseDelayMs: 1 })).rejects.toBe(refused);
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetries(async () => ((calls++, Promise.reject(new TypeError('down')))), { attempts: 4, baseDelayMs: 1 })).rejects.toThrow('down');
    expect(calls).toBe(4);
  });

  it('waits at least as long as Retry-After asks', async () => {
    let calls = 0;
    const started = Date.now();
    await withRetries(
      async () => {
        if (calls++ > 0) return;
        const error = new SsehubError('rate_limited', 'slow down', 429);
        noteRetryAfter(error, '0.2');
        throw error;
      },
      { baseDelayMs: 1 },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});
