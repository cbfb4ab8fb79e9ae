import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatMessageSchema, RoomMessageRequestSchema, RoomNameSchema, roomTopic } from './chat.js';
import { MAX_TOPIC_SEGMENT_LENGTH, isValidTopic } from './topic.js';

const segment64 = 'a'.repeat(MAX_TOPIC_SEGMENT_LENGTH);

describe('chat.message data', () => {
  it('trims text and author', () => {
    expect(ChatMessageSchema.parse({ text: '  hi there \n', author: '\tann ' })).toEqual({
      text: 'hi there',
      author: 'ann',
    });
  });

  it.each([
    ['empty text', { text: '', author: 'ann' }],
    ['whitespace-only text', { text: ' \n\t\u00a0 ', author: 'ann' }],
    ['text over 4000 characters', { text: 'x'.repeat(4001), author: 'ann' }],
    ['missing author', { text: 'hi' }],
    ['whitespace-only author', { text: 'hi', author: '   ' }],
    ['author over 64 characters', { text: 'hi', author: 'a'.repeat(65) }],
    ['text that is not a string', { text: 42, author: 'ann' }],
  ])('rejects %s', (_name, data) => {
    expect(ChatMessageSchema.safeParse(data).success).toBe(false);
  });

  it('measures limits after trimming', () => {
    const text = `   ${'x'.repeat(4000)}   `;
    expect(ChatMessageSchema.parse({ text, author: ` ${'a'.repeat(64)} ` }).text).toHaveLength(4000);
  });

  it('accepts any text whose trimmed form is 1-4000 characters, and keeps it trimmed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const result = ChatMessageSchema.safeParse({ text, author: 'ann' });
        expect(result.success).toBe(text.trim().length >= 1);
        if (result.success) expect(result.data.text).toBe(text.trim());
      }),
      { numRuns: 500 },
    );
  });
});

describe('room names', () => {
  it('accept one topic segment and make a rooms/ topic', () => {
    expect(RoomNameSchema.parse('lobby')).toBe('lobby');
    expect(roomTopic('lobby')).toBe('rooms/lobby');
    expect(isValidTopic(roomTopic(segment64))).toBe(true);
  });

  it.each(['', 'a/b', 'a.b', '*', 'lob by', 'ü', 'a'.repeat(65)])('reject %j', (room) => {
    expect(RoomNameSchema.safeParse(room).success).toBe(false);
  });
});

describe('room messages', () => {
  it('trim the text and the optional author', () => {
    expect(RoomMessageRequestSchema.parse({ text: '  hello\n' })).toEqual({ text: 'hello' });
    expect(RoomMessageRequestSchema.parse({ text: 'hi', author: ' bob ' })).toEqual({ text: 'hi', author: 'bob' });
  });

  it.each([
    ['empty text', { text: '' }],
    ['blank text', { text: ' \r\n\t ' }],
    ['text over 4000 characters', { text: 'x'.repeat(4001) }],
    ['blank author', { text: 'hi', author: ' ' }],
    ['author over 64 characters', { text: 'hi', author: 'b'.repeat(65) }],
  ])('reject %s', (_name, body) => {
    expect(RoomMessageRequestSchema.safeParse(body).success).toBe(false);
  });
});
