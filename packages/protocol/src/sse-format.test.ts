import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SsehubError } from './errors.js';
import { formatSseComment, formatSseFrame, formatSseRetry } from './sse-format.js';
import { createSseParser, type SseMessage } from './sse-parser.js';

function parseAll(stream: string): { messages: SseMessage[]; comments: string[]; retries: number[] } {
  const out = { messages: [] as SseMessage[], comments: [] as string[], retries: [] as number[] };
  const parser = createSseParser({
    onMessage: (m) => out.messages.push(m),
    onComment: (c) => out.comments.push(c),
    onRetry: (ms) => out.retries.push(ms),
  });
  parser.feed(stream);
  return out;
}

describe('formatSseFrame', () => {
  it('writes id, event and data lines and ends the frame with a blank line', () => {
    expect(formatSseFrame({ id: 'e1-1', event: 'chat.message', data: '{"a":1}' })).toBe(
      'id: e1-1\nevent: chat.message\ndata: {"a":1}\n\n',
    );
    expect(formatSseFrame({ data: 'x' })).toBe('data: x\n\n');
    expect(formatSseFrame({ data: '' })).toBe('data: \n\n');
  });

  it.each([
    ['LF', 'a\nb', 'data: a\ndata: b\n\n'],
    ['CR', 'a\rb', 'data: a\ndata: b\n\n'],
    ['CRLF', 'a\r\nb', 'data: a\ndata: b\n\n'],
    ['LF CR', 'a\n\rb', 'data: a\ndata: \ndata: b\n\n'],
    ['a forged frame', 'x\n\ndata: y', 'data: x\ndata: \ndata: data: y\n\n'],
    ['a forged id', 'x\nid: 99\nevent: ssehub.reset', 'data: x\ndata: id: 99\ndata: event: ssehub.reset\n\n'],
    ['a trailing line break', 'x\n', 'data: x\ndata: \n\n'],
  ])('writes data with %s as several data: lines', (_name, data, expected) => {
    expect(formatSseFrame({ data })).toBe(expected);
  });

  it.each([
    ['CR', '1\r2'],
    ['LF', '1\n2'],
    ['CRLF', '1\r\n2'],
    ['NUL', '1\u00002'],
  ])('refuses %s in id and event', (_name, value) => {
    expect(() => formatSseFrame({ id: value, data: 'x' })).toThrow(SsehubError);
    expect(() => formatSseFrame({ event: value, data: 'x' })).toThrow(SsehubError);
  });

  it('keeps a forged frame inside one message', () => {
    const stream = formatSseFrame({ id: 'e1-1', event: 'chat.message', data: 'a\n\nid: e1-99\nevent: ssehub.reset\ndata: b' });
    expect(parseAll(stream).messages).toEqual([
      { event: 'chat.message', data: 'a\n\nid: e1-99\nevent: ssehub.reset\ndata: b', lastEventId: 'e1-1', hasId: true },
    ]);
  });
});

// Data biased towards what could break framing: line breaks, field names, colons, NUL, BOM, astral characters.
const dataArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc
    .array(fc.constantFrom('\n', '\r', '\r\n', '\n\n', 'data: ', 'id: ', 'event: ', 'retry: 1', ':', ' ', '\0', '\uFEFF', 'x', '💬'), {
      maxLength: 40,
    })
    .map((parts) => parts.join('')),
);
const singleLineArb = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s));

describe('formatSseFrame with the parser', () => {
  it('turns ANY data and single-line id/event into exactly one message with nothing forged', () => {
    fc.assert(
      fc.property(dataArb, fc.option(singleLineArb, { nil: undefined }), fc.option(singleLineArb, { nil: undefined }), (data, id, event) => {
        const { messages, comments, retries } = parseAll(formatSseFrame({ id, event, data }));
        expect(comments).toEqual([]);
        expect(retries).toEqual([]);
        expect(messages).toEqual([
          {
            data: data.replace(/\r\n|\r/g, '\n'),
            // An empty event line means the default type, as with EventSource.
            event: event || 'message',
            lastEventId: id ?? '',
            hasId: id !== undefined,
          },
        ]);
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps frames apart when many are written back to back', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(dataArb, singleLineArb), { minLength: 1, maxLength: 10 }), (frames) => {
        const stream = frames.map(([data, id]) => formatSseFrame({ id, event: 'e', data })).join('');
        expect(parseAll(stream).messages.map((m) => [m.data, m.lastEventId])).toEqual(
          frames.map(([data, id]) => [data.replace(/\r\n|\r/g, '\n'), id]),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('formatSseComment', () => {
  it('writes each line as a comment and never dispatches', () => {
    expect(formatSseComment('ping')).toBe(': ping\n\n');
    const stream = formatSseComment('a\r\ndata: x\n\nid: 5');
    expect(stream).toBe(': a\n: data: x\n: \n: id: 5\n\n');
    expect(parseAll(stream)).toEqual({ messages: [], comments: ['a', 'data: x', '', 'id: 5'], retries: [] });
  });

  it('never produces a message for any text', () => {
    fc.assert(
      fc.property(dataArb, (text) => {
        expect(parseAll(formatSseComment(text)).messages).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('formatSseRetry', () => {
  it('writes a retry field the parser reads back', () => {
    expect(formatSseRetry(3000)).toBe('retry: 3000\n\n');
    expect(parseAll(formatSseRetry(0)).retries).toEqual([0]);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2])('refuses %s', (ms) => {
    expect(() => formatSseRetry(ms)).toThrow(SsehubError);
  });
});
