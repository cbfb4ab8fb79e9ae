import type { PresenceStore } from './broker.js';

/** Compare-and-set attempts before an update gives up (only under heavy contention). @default 20 */
export const MAX_CAS_ATTEMPTS = 20;

/** The record before and after the write that won. */
export interface CasOutcome<R> {
  readonly before: R | null;
  readonly after: R | null;
}

/**
 * Rewrites one record of `store` with compare-and-set: reads it, applies `rewrite` (which returns the
 * next record, or `null` to delete it) and writes it only if no one wrote in between, else retries.
 * Every read-modify-write of a shared record goes through here, so the retry rule is written once.
 */
export async function compareAndSet<R>(
  store: PresenceStore,
  scope: string,
  key: string,
  rewrite: (current: R | null, now: number) => R | null,
  attempts = MAX_CAS_ATTEMPTS,
): Promise<CasOutcome<R>> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const { record, revision } = await store.get<R>(scope, key);
    const next = rewrite(record, Date.now());
    if (await store.put<R>(scope, key, next, revision)) return { before: record, after: next };
  }
  throw new Error(`the record ${key} on ${scope} kept changing under ${attempts} attempts`);
}
