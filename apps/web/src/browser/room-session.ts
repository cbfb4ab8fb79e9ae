import type { EventEnvelope } from '@ssehub/protocol';
import { roomTopic } from '@ssehub/protocol/chat';
import type { SsehubClient, Subscription } from '@ssehub/protocol/client';
import type { ChatConnectionState } from './connection-badge.js';
import type { MessageList } from './message-list.js';
import type { PresenceList } from './presence-list.js';

/** Messages shown when entering a room. @default 50 */
export const HISTORY_LIMIT = 50;

/** Options of {@link openRoomSession}. */
export interface RoomSessionOptions {
  client: SsehubClient;
  room: string;
  /** Who this page counts as in the room's presence. */
  user: string;
  messages: MessageList;
  presence: PresenceList;
  onState(state: ChatConnectionState, node?: string): void;
  onError(error: unknown): void;
}

/** One entered room: its history, its live subscription and its presence. */
export interface RoomSession {
  /** Leaves the room: closes the subscription; late answers are dropped. */
  close(): void;
}

/**
 * Enters a room: shows recent history, then subscribes from the newest history id so nothing
 * falls between the two (the list de-duplicates whatever arrives twice).
 */
export function openRoomSession(options: RoomSessionOptions): RoomSession {
  const { client, messages, presence } = options;
  const topic = roomTopic(options.room);
  let closed = false;
  let wasLive = false;
  // Bumped on reset, so a history page requested before it cannot bring back stale events.
  let generation = 0;
  let subscription: Subscription | undefined;

  // Typed handlers: the client checks each event's data against its schema before it gets here.
  const showMessage = (event: EventEnvelope): void => {
    if (!closed) messages.add(event);
  };
  const applyPresence = (event: EventEnvelope): void => {
    if (!closed) presence.apply(event);
  };

  /** Shows the newest history and answers its last id (presence is live-only: never in history). */
  async function loadHistory(): Promise<string | undefined> {
    const requested = generation;
    try {
      const page = await client.history(topic, { limit: HISTORY_LIMIT });
      if (closed || requested !== generation) return undefined;
      for (const event of page.events) messages.add(event);
      return page.events.at(-1)?.id;
    } catch (error) {
      if (!closed) options.onError(error);
      return undefined;
    }
  }

  async function start(): Promise<void> {
    const cursor = await loadHistory();
    if (closed) return;
    // Without a cursor (empty room, failed fetch) messages sent before the stream went live
    // would be missed, so history is read once more when it is.
    let rereadHistory = cursor === undefined;
    // One connection for every tab of this browser that has the chat open (same nickname).
    subscription = client.subscribe([topic], {
      lastEventId: cursor,
      user: options.user,
      on: { 'chat.message': showMessage, 'presence.join': applyPresence, 'presence.leave': applyPresence },
      onReady(payload) {
        if (closed) return;
        options.onState(wasLive && payload.resumed ? 'resumed' : 'live', payload.node);
        // Read presence once this connection counts in it, and again after any reconnect.
        presence.refresh();
        if (rereadHistory) void loadHistory();
        wasLive = true;
        rereadHistory = false;
      },
      onReset() {
        // Events were missed (retention or a new epoch): what is on screen can no longer be trusted.
        if (closed) return;
        generation += 1;
        messages.clear();
        void loadHistory();
        presence.refresh();
      },
      onStateChange(state) {
        if (!closed && (state === 'connecting' || state === 'reconnecting')) options.onState(state);
      },
    });
  }

  options.onState('connecting');
  void start();
  return {
    close() {
      closed = true;
      subscription?.close();
      presence.dispose();
    },
  };
}
