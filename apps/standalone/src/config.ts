import { loadGatewayConfig, type GatewayConfig } from '@ssehub/gateway';
import { loadIngestConfig, type IngestConfig } from '@ssehub/ingest';

/** Standalone reads the gateway's and the ingest's variables from one environment. */
export interface StandaloneConfig {
  readonly gateway: GatewayConfig;
  readonly ingest: IngestConfig;
}

/** Reads the configuration; the only reader of `process.env` in this app. */
export function loadStandaloneConfig(env: Record<string, string | undefined> = process.env): StandaloneConfig {
  return { gateway: loadGatewayConfig(env), ingest: loadIngestConfig(env) };
}
