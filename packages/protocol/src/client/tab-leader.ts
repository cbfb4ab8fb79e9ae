/** True where tabs can share one connection: the platform has Web Locks and BroadcastChannel. */
export function canShareAcrossTabs(): boolean {
  return (
    typeof BroadcastChannel === 'function' &&
    typeof navigator !== 'undefined' &&
    typeof navigator.locks?.request === 'function'
  );
}

/**
 * Campaigns for the leadership of `name` among the tabs of this origin. Web Locks grant the lock to
 * one tab at a time and pass it to the next waiting tab when the holder releases it or closes, so
 * exactly one tab leads and a closed leader is replaced without any timeout. Answers `resign`, which
 * gives leadership up (or stops waiting for it).
 */
export function campaignForLeadership(name: string, onLead: () => void): () => void {
  const abort = new AbortController();
  let release: (() => void) | undefined;
  let resigned = false;
  navigator.locks
    .request(name, { signal: abort.signal }, () => {
      if (resigned) return undefined;
      onLead();
      // The lock is held until this promise settles.
      return new Promise<void>((resolve) => (release = resolve));
    })
    .catch(() => {
      // AbortError: resigned while still waiting.
    });
  return () => {
    resigned = true;
    abort.abort();
    release?.();
  };
}
