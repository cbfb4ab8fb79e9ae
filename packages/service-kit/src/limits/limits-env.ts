import type { HttpServerOptions } from '../http-server.js';
import type { LimitHits } from './limit-metrics.js';
import { envInt } from '../env.js';

/** HTTP-level limits every app reads (per node). */
export const HTTP_LIMITS_ENV_SHAPE = {
  /** Largest request line + headers, in bytes; more is a 431. @default 16384 */
  MAX_HEADER_BYTES: envInt(1024, 1 << 20, 16_384),
  /** Seconds a client may take to send its request headers (slowloris guard). @default 10 */
  HEADERS_TIMEOUT_S: envInt(1, 600, 10),
  /** Seconds a client may take to send its whole request, body included; a stream's response is not limited. @default 30 */
  REQUEST_TIMEOUT_S: envInt(1, 3600, 30),
  /** Proxies in front whose `X-Forwarded-For` entry is trusted for the client IP (nginx = 1). @default 0 */
  TRUST_PROXY_HOPS: envInt(0, 10, 0),
  /** Leading bits of an IPv6 client address that per-IP limits count as one client (a subscriber's /64). @default 64 */
  IPV6_PREFIX_BITS: envInt(16, 128, 64),
};

/** The gateway's per-node connection limits; 0 turns one off. */
export const CONNECTION_LIMITS_ENV_SHAPE = {
  /** Open streams one token subject may hold on one node. @default 20 */
  MAX_CONNECTIONS_PER_USER: envInt(0, 1_000_000, 20),
  /** Open streams one client IP may hold on one node. @default 1000 */
  MAX_CONNECTIONS_PER_IP: envInt(0, 1_000_000, 1000),
};

/** The ingest's publish limits (per node). */
export const PUBLISH_LIMITS_ENV_SHAPE = {
  /** Events one batch publish may carry (at most the protocol's 100). @default 100 */
  MAX_BATCH_EVENTS: envInt(1, 100, 100),
  /** Events per second one token subject (or one IP, when anonymous) may publish; 0 turns it off. @default 100 */
  PUBLISH_RATE_PER_S: envInt(0, 1_000_000, 100),
  /** Events a publisher may send at once after being idle; at least MAX_BATCH_EVENTS. @default 200 */
  PUBLISH_BURST: envInt(1, 10_000_000, 200),
};

/** The settings {@link httpServerLimits} reads. */
export interface HttpLimitsConfig {
  readonly MAX_HEADER_BYTES: number;
  readonly HEADERS_TIMEOUT_S: number;
  readonly REQUEST_TIMEOUT_S: number;
}

/** The `createHttpServer` options these settings give, counting refusals in `onLimit`. */
export function httpServerLimits(config: HttpLimitsConfig, onLimit: LimitHits): HttpServerOptions {
  return {
    maxHeaderBytes: config.MAX_HEADER_BYTES,
    headersTimeoutS: config.HEADERS_TIMEOUT_S,
    requestTimeoutS: config.REQUEST_TIMEOUT_S,
    onLimit,
  };
}
