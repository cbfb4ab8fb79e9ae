import type { Broker } from '@ssehub/broker';
import type { AccessPolicy, LimitHits } from '@ssehub/service-kit';
import type { ClientAddress, PublishGate } from '../access.js';
import type { Publisher } from '../publisher.js';

/** What every route factory receives; `createIngestApp` builds it once. */
export interface RouteDeps {
  readonly broker: Broker;
  readonly publish: Publisher;
  readonly maxBodyBytes: number;
  readonly maxBatchEvents: number;
  readonly access: AccessPolicy;
  /** Authorises and rate-limits a publish. */
  readonly gate: PublishGate;
  readonly limitHits: LimitHits;
  /** The client address per-IP limits and anonymous idempotency count (proxies and IPv6 prefix applied). */
  readonly clientAddress: ClientAddress;
  /** History answers: bytes per page and reads in progress per client address. */
  readonly history: { readonly maxResponseBytes: number; readonly readsPerIp: number };
}
