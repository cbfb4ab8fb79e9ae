import { loadGatewayConfig, type GatewayConfig } from '@ssehub/gateway';
import { loadIngestConfig, type IngestConfig } from '@ssehub/ingest';

/** Standalone reads the gateway's and the ingest's variables from one environment. */
export interface StandaloneConfig {
  readonly gateway: GatewayConfig;
  readonly ingest: IngestConfig;
}

/**
 * The demo's defaults, so `pnpm start` runs the anonymous chat with no configuration: anyone may read
 * and post in `rooms/**`. Every other topic still needs a token. Set a variable (even to empty) to
 * override; production sets both empty or narrower (SECURITY.md).
 */
export const STANDALONE_DEMO_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  PUBLIC_TOPICS: 'rooms/**',
  ANONYMOUS_PUBLISH_TOPICS: 'rooms/**',
});

/** Reads the configuration; the only reader of `process.env` in this app. */
export function loadStandaloneConfig(env: Record<string, string | undefined> = process.env): StandaloneConfig {
  const withDefaults = { ...STANDALONE_DEMO_DEFAULTS, ...env };
  return { gateway: loadGatewayConfig(withDefaults), ingest: loadIngestConfig(withDefaults) };
}
