/** A background task on a timer. */
export interface RepeatingTask {
  /** Cancels the timer; a run already under way finishes. */
  stop(): void;
}

/**
 * Runs `task` every `intervalMs`, skipping a tick while the previous run is still going, so a slow
 * broker never piles runs up. The timer is unref'd: it never keeps a process alive.
 */
export function startRepeatingTask(task: () => Promise<void>, intervalMs: number, onError: (error: unknown) => void): RepeatingTask {
  let running = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = true;
    task()
      .catch(onError)
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
