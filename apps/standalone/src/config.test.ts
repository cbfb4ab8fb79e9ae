import { loadGatewayConfig } from '@ssehub/gateway';
import { loadIngestConfig } from '@ssehub/ingest';
import { describe, expect, it } from 'vitest';
import { loadStandaloneConfig } from './config.js';

describe('loadStandaloneConfig', () => {
  it('opens rooms/** to anonymous reading and posting by default, so the chat runs with no configuration', () => {
    const { gateway, ingest } = loadStandaloneConfig({});
    expect(gateway.PUBLIC_TOPICS).toEqual(['rooms/**']);
    expect(ingest.ANONYMOUS_PUBLISH_TOPICS).toEqual(['rooms/**']);
  });

  it('lets a variable set empty turn a demo default off', () => {
    const { gateway, ingest } = loadStandaloneConfig({ PUBLIC_TOPICS: '', ANONYMOUS_PUBLISH_TOPICS: '' });
    expect(gateway.PUBLIC_TOPICS).toEqual([]);
    expect(ingest.ANONYMOUS_PUBLISH_TOPICS).toEqual([]);
  });

  it('keeps nothing public in gateway and ingest run alone', () => {
    expect(loadGatewayConfig({}).PUBLIC_TOPICS).toEqual([]);
    expect(loadIngestConfig({}).ANONYMOUS_PUBLISH_TOPICS).toEqual([]);
  });

  it('listens on loopback only unless HOST opens it, since anyone may post to the demo', () => {
    expect(loadStandaloneConfig({}).gateway.HOST).toBe('127.0.0.1');
    expect(loadStandaloneConfig({ HOST: '0.0.0.0' }).gateway.HOST).toBe('0.0.0.0');
    // Set empty: every interface, as gateway and ingest listen by default.
    expect(loadStandaloneConfig({ HOST: '' }).gateway.HOST).toBeUndefined();
    expect(loadGatewayConfig({}).HOST).toBeUndefined();
  });

  it('stops on a HOST that is neither an address nor a host name, naming it', () => {
    expect(() => loadStandaloneConfig({ HOST: 'http://0.0.0.0' })).toThrow(/^invalid configuration: HOST: expected an IP address/);
  });
});
