import { loadGatewayConfig, type GatewayConfig } from '@ssehub/gateway';
import { loadIngestConfig, type IngestConfig } from '@ssehub/ingest';

/** Standalone reads the gateway's and the ingest's variables from one environment. */
export interface StandaloneConfig {
  readonly gateway: GatewayConfig;
  readonly ingest: IngestConfig;
}

/**
 * The demo's defaults, so `pnpm start` runs the anonymous chat with no configuration: anyone may read
 * and post in `rooms/**`. Every other topic still needs a token. Because anyone may post, the demo
 * listens on loopback only; `HOST=0.0.0.0` opens it to the network. Set a variable (even to empty) to
 * override; production sets the topic lists empty or narrower (SECURITY.md).
 */
export const STANDALONE_DEMO_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  HOST: '127.0.0.1',
  PUBLIC_TOPICS: 'rooms/**',
  ANONYMOUS_PUBLISH_TOPICS: 'rooms/**',
});

/** Reads the configuration; the only reader of `process.env` in this app. */
export function loadStandaloneConfig(env: Record<string, string | undefined> = process.env): StandaloneConfig {
  const withDefaults = { ...STANDALONE_DEMO_DEFAULTS, ...env };
  return { gateway: loadGatewayConfig(withDefaults), ingest: loadIngestConfig(withDefaults) };
}
