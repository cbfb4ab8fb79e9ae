/** How often {@link until} asks again. @default 20 */
const POLL_MS = 20;

/** What {@link until} resolves with: the first answer that was not false, null or undefined. */
export type Truthy<T> = Exclude<T, false | null | undefined>;

/**
 * Asks `read` until it answers something other than false, null or undefined, and resolves with that
 * answer; rejects naming `what` (and the last answer) after `timeoutMs`. For state that tells no one
 * when it changes (an HTTP endpoint, a page); where an event announces the change, wait for the event.
 */
export async function until<T>(read: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await read();
    if (answer !== false && answer !== null && answer !== undefined) return answer as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last answer ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
