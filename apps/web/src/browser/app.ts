// The chat page: wires the DOM to the ssehub client. Runs in the browser only.
import './zod-jitless.js';
import { SsehubError } from '@ssehub/protocol';
import { RoomNameSchema, roomTopic } from '@ssehub/protocol/chat';
import { createSsehubClient } from '@ssehub/protocol/client';
import { createConnectionBadge } from './connection-badge.js';
import { byTestId } from './dom.js';
import { createMessageList } from './message-list.js';
import { NicknameSchema, loadNickname, roomFromHash, roomHash, saveNickname } from './prefs.js';
import { createPresenceList } from './presence-list.js';
import { openRoomSession, type RoomSession } from './room-session.js';

const client = createSsehubClient({ baseUrl: '' });
const ui = {
  nickname: byTestId('nickname', HTMLInputElement),
  room: byTestId('room', HTMLInputElement),
  join: byTestId('join', HTMLButtonElement),
  messages: byTestId('messages', HTMLOListElement),
  input: byTestId('message-input', HTMLInputElement),
  send: byTestId('send', HTMLButtonElement),
  state: byTestId('connection-state', HTMLElement),
  presence: byTestId('presence', HTMLElement),
  error: byTestId('error', HTMLElement),
};
const badge = createConnectionBadge(ui.state);
let nickname = loadNickname();
const messages = createMessageList({ list: ui.messages, nickname: () => nickname });
let room = '';
let session: RoomSession | undefined;

function describeError(error: unknown): string {
  if (error instanceof SsehubError) return error.message;
  if (error instanceof TypeError) return 'could not reach the server; check your connection';
  return error instanceof Error ? error.message : String(error);
}

function showError(error: unknown): void {
  ui.error.textContent = describeError(error);
  ui.error.dataset.code = error instanceof SsehubError ? error.code : '';
  ui.error.hidden = false;
}

function clearError(): void {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

function enterRoom(next: string): void {
  session?.close();
  room = next;
  ui.room.value = next;
  document.title = `#${next} · ssehub chat`;
  messages.clear();
  const presence = createPresenceList({ root: ui.presence, load: () => client.presence(roomTopic(next)) });
  session = openRoomSession({
    client,
    room: next,
    user: nickname,
    messages,
    presence,
    onState: badge.set,
    onError: showError,
  });
}

function followHash(): void {
  const target = roomFromHash(location.hash);
  if (target.error) showError(new Error(target.error));
  if (target.room !== room) enterRoom(target.room);
}

/** Takes the nickname field's value if it is valid; false (and an error shown) otherwise. */
function commitNickname(): boolean {
  const parsed = NicknameSchema.safeParse(ui.nickname.value);
  if (!parsed.success) {
    showError(new Error(parsed.error.issues[0]?.message ?? 'invalid nickname'));
    return false;
  }
  ui.nickname.value = parsed.data;
  if (parsed.data === nickname) return true;
  nickname = parsed.data;
  saveNickname(nickname);
  // Presence knows a stream by the user it opened with: reopen the room under the new name.
  if (room !== '') enterRoom(room);
  return true;
}

async function send(): Promise<void> {
  const text = ui.input.value.trim();
  if (text === '' || !commitNickname()) return;
  ui.send.disabled = true;
  try {
    // No optimistic copy: the message shows when the stream delivers it, with its real id.
    await client.sendRoomMessage(room, text, nickname);
    ui.input.value = '';
    clearError();
  } catch (error) {
    showError(error);
  } finally {
    ui.send.disabled = false;
    ui.input.focus();
  }
}

ui.nickname.value = nickname;
ui.nickname.addEventListener('change', () => {
  if (commitNickname()) clearError();
});
ui.join.form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const parsed = RoomNameSchema.safeParse(ui.room.value.trim());
  if (!parsed.success) return showError(new Error(parsed.error.issues[0]?.message ?? 'invalid room name'));
  clearError();
  if (parsed.data !== room) location.hash = roomHash(parsed.data);
});
ui.send.form?.addEventListener('submit', (event) => {
  event.preventDefault();
  void send();
});
window.addEventListener('hashchange', followHash);
followHash();
