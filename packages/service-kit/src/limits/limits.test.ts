import type { IncomingMessage } from 'node:http';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { clientIp } from './client-ip.js';
import { createConnectionLimiter } from './connection-limiter.js';
import { createLimitHits } from './limit-metrics.js';
import { createRateLimiter } from './token-bucket.js';

describe('createRateLimiter', () => {
  it('allows a burst, then refills at the rate, per key', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerS: 10, burst: 20, now: () => now });
    expect(limiter.take('a', 20)).toBe(0);
    expect(limiter.take('a', 1)).toBe(1);
    expect(limiter.take('b', 5)).toBe(0);
    now += 500;
    expect(limiter.take('a', 5)).toBe(0);
    expect(limiter.take('a', 1)).toBe(1);
    now += 10_000;
    expect(limiter.take('a', 20)).toBe(0);
  });

  it('answers how many seconds a caller has to wait', () => {
    const limiter = createRateLimiter({ ratePerS: 2, burst: 10, now: () => 0 });
    limiter.take('a', 10);
    expect(limiter.take('a', 10)).toBe(5);
  });

  it('is off at rate 0 and forgets the least recently used key past maxKeys', () => {
    expect(createRateLimiter({ ratePerS: 0, burst: 1 }).take('a', 1000)).toBe(0);
    const limiter = createRateLimiter({ ratePerS: 1, burst: 1, maxKeys: 3, now: () => 0 });
    for (const key of ['a', 'b', 'c', 'd']) limiter.take(key, 1);
    expect(limiter.size()).toBe(3);
    expect(limiter.take('a', 1)).toBe(0);
  });
});

describe('createConnectionLimiter', () => {
  it('counts per IP and per user, and a release frees the slot once', () => {
    const limiter = createConnectionLimiter({ perUser: 2, perIp: 3 });
    const a = limiter.acquire('1.1.1.1', 'ana');
    const b = limiter.acquire('1.1.1.1', 'ana');
    expect(limiter.acquire('2.2.2.2', 'ana')).toBe('connections_per_user');
    const c = limiter.acquire('1.1.1.1', undefined);
    expect(limiter.acquire('1.1.1.1', 'bob')).toBe('connections_per_ip');
    if (typeof a === 'string' || typeof b === 'string' || typeof c === 'string') throw new Error('expected slots');
    a.release();
    a.release();
    expect(limiter.count('user:ana')).toBe(1);
    expect(limiter.count('ip:1.1.1.1')).toBe(2);
    b.release();
    c.release();
    expect(limiter.count('ip:1.1.1.1')).toBe(0);
  });

  it('never refuses when the limits are 0', () => {
    const limiter = createConnectionLimiter({ perUser: 0, perIp: 0 });
    for (let i = 0; i < 100; i += 1) expect(typeof limiter.acquire('ip', 'user')).toBe('object');
  });
});

describe('clientIp', () => {
  const req = (xff: string | undefined): IncomingMessage =>
    ({ socket: { remoteAddress: '10.0.0.1' }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

  it('uses the peer unless proxies are trusted', () => {
    expect(clientIp(req('6.6.6.6'), 0)).toBe('10.0.0.1');
    expect(clientIp(req(undefined), 1)).toBe('10.0.0.1');
  });

  it('takes the entry the trusted proxy appended, not what the client wrote', () => {
    expect(clientIp(req('6.6.6.6, 203.0.113.9'), 1)).toBe('203.0.113.9');
    expect(clientIp(req('6.6.6.6, 203.0.113.9, 10.0.0.2'), 2)).toBe('203.0.113.9');
  });
});

describe('createLimitHits', () => {
  it('registers the counter once per registry, so gateway and ingest can share one', async () => {
    const registry = new Registry();
    const gateway = createLimitHits(registry);
    const ingest = createLimitHits(registry);
    gateway('connections_per_ip');
    ingest('publish_rate');
    ingest('publish_rate');
    const text = await registry.metrics();
    expect(text).toContain('ssehub_limit_hits_total{limit="connections_per_ip"} 1');
    expect(text).toContain('ssehub_limit_hits_total{limit="publish_rate"} 2');
    expect(text).toContain('ssehub_limit_hits_total{limit="body_bytes"} 0');
  });
});
