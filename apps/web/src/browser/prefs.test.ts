import { describe, expect, it } from 'vitest';
import { DEFAULT_ROOM, NicknameSchema, roomFromHash, roomHash } from './prefs.js';

describe('roomFromHash', () => {
  it('reads the room from #room=<name>', () => {
    expect(roomFromHash('#room=dev-ops_2')).toEqual({ room: 'dev-ops_2' });
  });

  it('falls back to the lobby when the hash names no room', () => {
    expect(roomFromHash('')).toEqual({ room: DEFAULT_ROOM });
    expect(roomFromHash('#other=1')).toEqual({ room: DEFAULT_ROOM });
  });

  it('refuses names that are not one topic segment, instead of mapping them', () => {
    for (const hash of ['#room=a/b', '#room=..', '#room=a%20b', '#room=rooms.*']) {
      const result = roomFromHash(hash);
      expect(result.room).toBe(DEFAULT_ROOM);
      expect(result.error).toMatch(/room name/);
    }
  });

  it('round-trips through roomHash', () => {
    expect(roomFromHash(roomHash('kitchen'))).toEqual({ room: 'kitchen' });
  });
});

describe('NicknameSchema', () => {
  it('trims and bounds nicknames like the server does', () => {
    expect(NicknameSchema.parse('  ada ')).toBe('ada');
    expect(NicknameSchema.safeParse('   ').success).toBe(false);
    expect(NicknameSchema.safeParse('x'.repeat(65)).success).toBe(false);
  });
});
