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
});
