import { RoomNameSchema } from '@ssehub/protocol/chat';
import { z } from 'zod';

/** The room a page opens when the URL names none. @default 'lobby' */
export const DEFAULT_ROOM = 'lobby';

/** Where the nickname is remembered between visits. */
export const NICKNAME_STORAGE_KEY = 'ssehub.nickname';

/** A nickname: what `author` accepts on the server. */
export const NicknameSchema = z.string().trim().min(1, 'choose a nickname').max(64, 'a nickname is at most 64 characters');

/** The room named by a URL hash like `#room=lobby`, or the default plus an error for a bad name. */
export function roomFromHash(hash: string): { room: string; error?: string } {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get('room');
  if (value === null || value === '') return { room: DEFAULT_ROOM };
  const parsed = RoomNameSchema.safeParse(value);
  if (parsed.success) return { room: parsed.data };
  return { room: DEFAULT_ROOM, error: parsed.error.issues[0]?.message ?? 'invalid room name' };
}

/** The URL hash that names a room. */
export function roomHash(room: string): string {
  return `#room=${encodeURIComponent(room)}`;
}

// Storage can be missing or throw (private windows, file://); the page still works without it.
function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** The remembered nickname, or a fresh `guest-1234` that is remembered from now on. */
export function loadNickname(): string {
  const saved = NicknameSchema.safeParse(storage()?.getItem(NICKNAME_STORAGE_KEY) ?? '');
  if (saved.success) return saved.data;
  const guest = `guest-${Math.floor(1000 + Math.random() * 9000)}`;
  saveNickname(guest);
  return guest;
}

/** Remembers a nickname for the next visit. */
export function saveNickname(nickname: string): void {
  try {
    storage()?.setItem(NICKNAME_STORAGE_KEY, nickname);
  } catch {
    // Quota or privacy mode: the nickname just lasts as long as the tab.
  }
}
