import { ConfigError } from '@ssehub/service-kit';
import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from './config.js';

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadIngestConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadIngestConfig', () => {
  it('fills every default from an empty environment', () => {
    const config = loadIngestConfig({});
    expect(config).toMatchObject({ PORT: 8080, BROKER_URL: { href: 'memory://', kind: 'memory' }, MAX_BODY_BYTES: 65_536, DRAIN_TIMEOUT_S: 10, LOG_LEVEL: 'info' });
    expect(config).toMatchObject({ HISTORY_MAX_RESPONSE_BYTES: 1_048_576, MAX_HISTORY_READS_PER_IP: 4 });
  });

  it('reads the values it is given, blank counting as unset', () => {
    const config = loadIngestConfig({ PORT: '9001', BROKER_URL: 'redis://127.0.0.1:6379', MAX_BODY_BYTES: '1024', DRAIN_TIMEOUT_S: '' });
    expect(config).toMatchObject({ PORT: 9001, BROKER_URL: { href: 'redis://127.0.0.1:6379', kind: 'redis' }, MAX_BODY_BYTES: 1024, DRAIN_TIMEOUT_S: 10 });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '0'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['BROKER_URL', 'localhost:6379'],
    ['BROKER_URL', 'http://broker:80'],
    ['MAX_BODY_BYTES', 'lots'],
    ['MAX_BODY_BYTES', '1'],
    ['MAX_BODY_BYTES', '1000000000'],
    ['DRAIN_TIMEOUT_S', '-1'],
    ['HISTORY_MAX_RESPONSE_BYTES', '100'],
    ['HISTORY_MAX_RESPONSE_BYTES', 'big'],
    ['MAX_HISTORY_READS_PER_IP', '-1'],
  ])('rejects %s=%s with one line naming the variable', (name, value) => {
    const error = configErrorOf({ [name]: value });
    expect(error.message).toContain(name);
    expect(error.message).toContain(value);
    expect(error.message).not.toContain('\n');
  });
});
