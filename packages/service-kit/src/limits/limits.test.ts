import type { IncomingMessage } from 'node:http';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEnv } from '../config.js';
import { clientIp, ipLimitKey } from './client-ip.js';
import { HTTP_LIMITS_ENV_SHAPE } from './limits-env.js';
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

  it('tells how long a key waits without spending anything', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerS: 0.1, burst: 2, now: () => now });
    expect(limiter.wait('a', 1)).toBe(0);
    limiter.take('a', 2);
    expect(limiter.wait('a', 1)).toBe(10);
    expect(limiter.wait('a', 1)).toBe(10);
    now += 10_000;
    expect(limiter.wait('a', 1)).toBe(0);
    expect(limiter.take('a', 1)).toBe(0);
    expect(limiter.wait('b', 2)).toBe(0);
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

  it('reads the client address only while a per-IP limit is on', () => {
    const noAddress = (): string => {
      throw new Error('the address was read');
    };
    const perUserOnly = createConnectionLimiter({ perUser: 1, perIp: 0 });
    expect(typeof perUserOnly.acquire(noAddress, 'ana')).toBe('object');
    expect(perUserOnly.acquire(noAddress, 'ana')).toBe('connections_per_user');
    const perIp = createConnectionLimiter({ perUser: 0, perIp: 1 });
    expect(typeof perIp.acquire(() => '1.1.1.1', 'ana')).toBe('object');
    expect(perIp.acquire(() => '1.1.1.1', 'bob')).toBe('connections_per_ip');
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

describe('ipLimitKey', () => {
  it('counts the addresses of one IPv6 /64 as one client, and another /64 as another', () => {
    const one = ipLimitKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 64);
    expect(one).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(ipLimitKey('2001:db8:1:2::1', 64)).toBe(one);
    expect(ipLimitKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff', 64)).toBe(one);
    expect(ipLimitKey('2001:db8:1:3::1', 64)).not.toBe(one);
  });

  it('groups by the configured prefix, to the bit', () => {
    expect(ipLimitKey('2001:db8:1:2::1', 48)).toBe('2001:db8:1:0:0:0:0:0/48');
    expect(ipLimitKey('2001:db8:1:ffff::1', 56)).toBe('2001:db8:1:ff00:0:0:0:0/56');
    expect(ipLimitKey('2001:db8::1', 128)).toBe('2001:db8:0:0:0:0:0:1');
    expect(ipLimitKey('::1', 64)).toBe('0:0:0:0:0:0:0:0/64');
    expect(ipLimitKey('fe80::1%eth0', 64)).toBe('fe80:0:0:0:0:0:0:0/64');
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address, and keeps IPv4 and anything else as is', () => {
    expect(ipLimitKey('::ffff:203.0.113.9', 64)).toBe('203.0.113.9');
    expect(ipLimitKey('::ffff:cb00:7109', 64)).toBe('203.0.113.9');
    expect(ipLimitKey('203.0.113.9', 64)).toBe('203.0.113.9');
    expect(ipLimitKey('unknown', 64)).toBe('unknown');
    expect(ipLimitKey('not:an:address', 64)).toBe('not:an:address');
  });

  it('groups the forwarded address and the peer alike', () => {
    const req = (peer: string, xff?: string): IncomingMessage =>
      ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;
    expect(clientIp(req('2001:db8::1'), 0)).toBe('2001:db8:0:0:0:0:0:0/64');
    expect(clientIp(req('::ffff:10.0.0.1'), 0)).toBe('10.0.0.1');
    expect(clientIp(req('10.0.0.2', '2001:db8:5:6::7'), 1, 32)).toBe('2001:db8:0:0:0:0:0:0/32');
  });

  it('stops the start with one line naming IPV6_PREFIX_BITS when it is out of range', () => {
    const schema = z.object(HTTP_LIMITS_ENV_SHAPE);
    expect(parseEnv(schema, {}).IPV6_PREFIX_BITS).toBe(64);
    expect(parseEnv(schema, { IPV6_PREFIX_BITS: '56' }).IPV6_PREFIX_BITS).toBe(56);
    for (const bad of ['0', '129', 'x', '64.5']) expect(() => parseEnv(schema, { IPV6_PREFIX_BITS: bad })).toThrow(/^invalid configuration: IPV6_PREFIX_BITS: /);
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
