import type { PublishPlan } from '../publisher/pacer.js';

/** What the bench asks a harness (in-process gateway) or a publisher process. */
export type HarnessRequest =
  | { readonly op: 'port' }
  | { readonly op: 'publish'; readonly plan: PublishPlan }
  | { readonly op: 'gc' }
  | { readonly op: 'connections' }
  | { readonly op: 'memory' }
  | { readonly op: 'profile-start' }
  | { readonly op: 'profile-stop'; readonly file: string };

/** Answer to `publish`. */
export interface PublishResult {
  readonly published: number;
  /** Publishes the server refused or that failed. */
  readonly failed: number;
}
