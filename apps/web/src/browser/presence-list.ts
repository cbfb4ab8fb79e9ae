import { PresenceChangeSchema, type EventEnvelope, type PresenceResponse } from '@ssehub/protocol';
import { createElement } from './dom.js';

/** The "who is online" box of one room. */
export interface PresenceList {
  /** Loads the members from the server; hides the box when presence is not available. */
  refresh(): void;
  /** Applies a `presence.join` / `presence.leave` event. */
  apply(event: EventEnvelope): void;
  /** Stops updating (the room was left). */
  dispose(): void;
}

/** Options of {@link createPresenceList}. */
export interface PresenceListOptions {
  /** The `<aside data-testid="presence">`, holding a `<ul>` and a `.count`. */
  root: HTMLElement;
  load(): Promise<PresenceResponse>;
}

/** Delay before re-reading the member list after a change, so a burst of joins costs one request. @default 500 */
export const PRESENCE_RECONCILE_MS = 500;

/** Creates the presence box for one room; it stays hidden until the server answers. */
export function createPresenceList(options: PresenceListOptions): PresenceList {
  const { root } = options;
  const members = new Map<string, number>();
  let available = false;
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function render(): void {
    const items = [...members.keys()].sort((a, b) => a.localeCompare(b)).map((user) => createElement('li', 'member', user));
    root.querySelector('ul')?.replaceChildren(...items);
    const count = root.querySelector('.count');
    if (count) count.textContent = String(members.size);
    root.hidden = !available;
  }

  function refresh(): void {
    options.load().then(
      (answer) => {
        if (disposed) return;
        available = true;
        members.clear();
        for (const member of answer.members) members.set(member.user, member.connections);
        render();
      },
      () => {
        // Presence may not be deployed (404) or may be failing: hide it rather than alarm anyone.
        if (disposed) return;
        available = false;
        render();
      },
    );
  }

  return {
    refresh,
    apply(event) {
      const change = PresenceChangeSchema.safeParse(event.data);
      if (disposed || !available || !change.success) return;
      if (event.type === 'presence.join') members.set(change.data.user, Math.max(1, members.get(change.data.user) ?? 0));
      else if (event.type === 'presence.leave') members.delete(change.data.user);
      else return;
      render();
      // A user may have several tabs on several nodes; the server's list is the truth.
      clearTimeout(timer);
      timer = setTimeout(refresh, PRESENCE_RECONCILE_MS);
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
      members.clear();
      available = false;
      render();
    },
  };
}
