import type { ReadyPayload, ResetPayload } from '../api.js';
import type { EventEnvelope } from '../event.js';
import type { ErrorFields } from './http-error.js';
import type { ConnectionState } from './subscription.js';

/** One subscription of a tab, as the leader needs to know it. */
export interface SubscriptionWant {
  /** Unique across tabs: `<tab>:<n>`. */
  readonly id: string;
  readonly topics: readonly string[];
  /** Where it has read up to; the leader resumes from the oldest of these. */
  readonly cursor: string | undefined;
}

/**
 * What tabs sharing one connection tell each other over their BroadcastChannel. Tabs send `want` and
 * `bye` to the leader; the leader announces itself and relays its stream, every message naming the
 * stream (`gen`) it belongs to, so a tab can tell a restarted stream from the one it follows.
 */
export type HubMessage =
  | { readonly kind: 'want'; readonly tab: string; readonly subs: readonly SubscriptionWant[] }
  | { readonly kind: 'bye'; readonly tab: string }
  | { readonly kind: 'leader'; readonly tab: string }
  /** A stream starts (or takes on more subscriptions) over `topics`, delivering everything after `from`. */
  | { readonly kind: 'stream'; readonly gen: string; readonly topics: readonly string[]; readonly from: string | undefined }
  | { readonly kind: 'event'; readonly gen: string; readonly event: EventEnvelope }
  /** `planned`: the stream replaced one that was live (topics changed); live subscriptions stay quiet. */
  | { readonly kind: 'ready'; readonly gen: string; readonly payload: ReadyPayload; readonly planned: boolean }
  | { readonly kind: 'reset'; readonly gen: string; readonly payload: ResetPayload }
  | { readonly kind: 'reconnecting'; readonly gen: string }
  /** `refused`: the server refused the credentials (401/403); the stream is over and its subscriptions close. */
  | ({ readonly kind: 'error'; readonly gen: string } & ErrorFields);

/** The callbacks of one subscription inside a shared connection. */
export interface StreamHandlers {
  onEvent(event: EventEnvelope): void;
  onReady?(payload: ReadyPayload): void;
  onReset?(payload: ResetPayload): void;
  onStateChange?(state: ConnectionState): void;
  onError?(error: unknown): void;
}
