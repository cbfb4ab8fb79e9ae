/** What the page shows about its stream: `resumed` is live again after a reconnect with no gap. */
export type ChatConnectionState = 'connecting' | 'live' | 'reconnecting' | 'resumed';

/** Shows the connection state (and the serving node) in the header. */
export interface ConnectionBadge {
  set(state: ChatConnectionState, node?: string): void;
}

/** Drives `<span data-testid="connection-state">`; its text and `data-state` are the state. */
export function createConnectionBadge(element: HTMLElement): ConnectionBadge {
  return {
    set(state, node) {
      element.dataset.state = state;
      element.textContent = state;
      element.title = node ? `${state} via node ${node}` : state;
    },
  };
}
