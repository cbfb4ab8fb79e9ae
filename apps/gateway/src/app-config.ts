import type { GatewayConfig } from './config.js';
import type { StreamGuardConfig } from './stream-guard.js';

/** The settings the gateway app uses (a subset of `GatewayConfig`; tests build it by hand). */
export type GatewayAppConfig = Pick<
  GatewayConfig,
  'NODE_ID' | 'HEARTBEAT_S' | 'RETRY_MS' | 'MAX_BUFFER_BYTES' | 'MAX_TOPICS_PER_CONNECTION' | 'PRESENCE_TTL_S'
> &
  Partial<Pick<GatewayConfig, 'ADMIN_TOKEN' | 'LAG_PROBE_S' | 'WRITE_COALESCE_MS' | 'WRITE_COALESCE_MAX_MS'>> &
  Partial<Pick<GatewayConfig, 'PRESENCE_RATE_PER_S' | 'PRESENCE_BURST'>> &
  StreamGuardConfig;
