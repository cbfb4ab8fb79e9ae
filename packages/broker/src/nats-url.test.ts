import { describe, expect, it } from 'vitest';
import { parseNatsUrl } from './nats-url.js';

describe('parseNatsUrl', () => {
  it('lists every server of a comma-separated URL', () => {
    expect(parseNatsUrl('nats://10.0.0.1:4222,10.0.0.2:4222,nats-3')).toEqual({ servers: ['10.0.0.1:4222', '10.0.0.2:4222', 'nats-3'] });
  });

  it('reads credentials and tokens from the userinfo', () => {
    expect(parseNatsUrl('nats://app:s%40cret@h1:4222,h2:4222')).toMatchObject({ user: 'app', pass: 's@cret', servers: ['h1:4222', 'h2:4222'] });
    expect(parseNatsUrl('nats://t0ken@h1:4222')).toMatchObject({ token: 't0ken' });
  });

  it('reads the stream replicas from the query', () => {
    expect(parseNatsUrl('nats://h1:4222,h2:4222,h3:4222?replicas=3')).toMatchObject({ replicas: 3, servers: ['h1:4222', 'h2:4222', 'h3:4222'] });
  });

  it('lets the partition count through to parseBrokerUrl, which reads it', () => {
    expect(parseNatsUrl('nats://h1:4222?replicas=3&partitions=8')).toMatchObject({ replicas: 3, servers: ['h1:4222'] });
  });

  it('refuses what it cannot use, naming it', () => {
    expect(() => parseNatsUrl('redis://h1:6379')).toThrow(/not a NATS URL/);
    expect(() => parseNatsUrl('nats://h1:4222,,h2')).toThrow(/"" in/);
    expect(() => parseNatsUrl('nats://h1:port')).toThrow(/"h1:port"/);
    expect(() => parseNatsUrl('nats://h1?replicas=7')).toThrow(/replicas must be 1 to 5/);
    expect(() => parseNatsUrl('nats://h1?stream=X')).toThrow(/unknown parameter "stream"/);
  });
});
