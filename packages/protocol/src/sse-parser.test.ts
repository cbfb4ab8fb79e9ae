import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from './sse-parser.js';

interface Parsed {
  messages: SseMessage[];
  comments: string[];
  retries: number[];
}

function parse(...chunks: string[]): Parsed {
  const out: Parsed = { messages: [], comments: [], retries: [] };
  const parser = createSseParser({
    onMessage: (m) => out.messages.push(m),
    onComment: (c) => out.comments.push(c),
    onRetry: (ms) => out.retries.push(ms),
  });
  for (const chunk of chunks) parser.feed(chunk);
  return out;
}

const msg = (data: string, event = 'message', lastEventId = '', hasId = false): SseMessage => ({
  event,
  data,
  lastEventId,
  hasId,
});

describe('SSE parser line endings', () => {
  it.each([
    ['LF', '\n'],
    ['CR', '\r'],
    ['CRLF', '\r\n'],
  ])('splits lines on %s', (_name, eol) => {
    const stream = `id: 1${eol}event: a${eol}data: x${eol}data: y${eol}${eol}data: z${eol}${eol}`;
    expect(parse(stream).messages).toEqual([msg('x\ny', 'a', '1', true), msg('z', 'message', '1', false)]);
  });

  it('treats a CR ending one chunk and an LF starting the next as one line break', () => {
    expect(parse('data: a\r', '\ndata: b\r', '\n\r', '\n').messages).toEqual([msg('a\nb')]);
  });

  // Regression: an empty chunk between the CR and the LF used to turn the LF into an extra blank line.
  it('keeps a CR/LF pair together across an empty chunk', () => {
    expect(parse('data: a\r', '', '\ndata: b\n\n').messages).toEqual([msg('a\nb')]);
  });

  it('treats LF CR as two line breaks', () => {
    expect(parse('data: a\n\rdata: b\n\n').messages).toEqual([msg('a'), msg('b')]);
  });

  it('mixes line endings in one stream', () => {
    expect(parse('data: a\rdata: b\r\ndata: c\n\r\n').messages).toEqual([msg('a\nb\nc')]);
  });
});

describe('SSE parser fields', () => {
  it('strips one BOM at the start of the stream only', () => {
    expect(parse('\uFEFFdata: a\n\n').messages).toEqual([msg('a')]);
    expect(parse('', '\uFEFFdata: a\n\n').messages).toEqual([msg('a')]);
    // A second BOM is part of the field name, which is then unknown and ignored.
    expect(parse('\uFEFF\uFEFFdata: a\n\n').messages).toEqual([]);
    expect(parse('data: a\n\n', '\uFEFFdata: b\n\n').messages).toEqual([msg('a')]);
  });

  it('reports comments and never dispatches them', () => {
    const out = parse(': heartbeat\n:no space\n:\n\n');
    expect(out.comments).toEqual(['heartbeat', 'no space', '']);
    expect(out.messages).toEqual([]);
  });

  it('joins multi-line data with LF', () => {
    expect(parse('data: a\ndata:\ndata:  b\ndata\n\n').messages).toEqual([msg('a\n\n b\n')]);
  });

  it('treats a line without a colon as a field with an empty value', () => {
    expect(parse('data\n\n').messages).toEqual([msg('')]);
    expect(parse('data\ndata\n\n').messages).toEqual([msg('\n')]);
    expect(parse('event\ndata: x\n\n').messages).toEqual([msg('x')]);
  });

  it('strips only one space after the colon', () => {
    expect(parse('data:   x  \nevent:  e\nid:  7\n\n').messages).toEqual([msg('  x  ', ' e', ' 7', true)]);
    expect(parse('data:\tx\n\n').messages).toEqual([msg('\tx')]);
  });

  it('keeps colons in values', () => {
    expect(parse('data: a: b:c\n\n').messages).toEqual([msg('a: b:c')]);
  });

  it('ignores unknown fields and field names in another case', () => {
    expect(parse('foo: bar\nData: x\nDATA: y\n data: z\ndata: ok\n\n').messages).toEqual([msg('ok')]);
  });

  it('ignores an id containing NUL', () => {
    expect(parse('id: 1\n\nid: a\0b\ndata: x\n\n').messages).toEqual([msg('x', 'message', '1', false)]);
  });

  it('keeps the last id across frames until changed, and an empty id clears it', () => {
    const out = parse('id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\n');
    expect(out.messages).toEqual([msg('a', 'message', '1', true), msg('b', 'message', '1', false),
      msg('c', 'message', '2', true), msg('d', 'message', '', true)]);
  });

  it('takes the id of a frame without data', () => {
    expect(parse('id: 5\n\ndata: x\n\n').messages).toEqual([msg('x', 'message', '5', false)]);
  });

  it('accepts retry with ASCII digits only', () => {
    const out = parse('retry: 2500\n\nretry: 0\nretry: -1\nretry: 1.5\nretry: 10ms\nretry:\nretry: ١\nretry:  3\n\n');
    expect(out.retries).toEqual([2500, 0]);
    expect(out.messages).toEqual([]);
  });

  it('does not dispatch frames without data', () => {
    expect(parse('event: a\n\nid: 1\n\n: c\n\nretry: 5\n\n\n\n').messages).toEqual([]);
  });

  it('defaults the event type to message and resets it after each frame', () => {
    expect(parse('event: a\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n').messages).toEqual([
      msg('1', 'a'),
      msg('2'),
      msg('3'),
    ]);
  });

  it('does not dispatch a frame cut off at the end of the stream', () => {
    expect(parse('data: a\n\ndata: b\n').messages).toEqual([msg('a')]);
  });

  it('forgets a partial frame on reset but keeps the last id', () => {
    const out: SseMessage[] = [];
    const parser = createSseParser({ onMessage: (m) => out.push(m) });
    parser.feed('\uFEFFid: 1\ndata: a\n\nevent: x\ndata: partial\r');
    parser.reset();
    parser.feed('\uFEFFdata: b\n\n');
    expect(out).toEqual([msg('a', 'message', '1', true), msg('b', 'message', '1', false)]);
  });

  // Regression: an id line of a frame cut off by a dropped connection used to leak into the next connection.
  it('does not adopt the id of a frame that was cut off before reset', () => {
    const out: SseMessage[] = [];
    const parser = createSseParser({ onMessage: (m) => out.push(m) });
    parser.feed('id: 1\ndata: a\n\nid: 2\ndata: b\n');
    parser.reset();
    parser.feed('data: c\n\n');
    expect(out).toEqual([msg('a', 'message', '1', true), msg('c', 'message', '1', false)]);
  });
});

// Streams built from the characters that matter to the grammar, so frames, fields and breaks are common.
const tokenArb = fc.constantFrom(
  'data', 'data:', 'data: ', 'event: ', 'id: ', 'id', 'retry: ', ':', ' ', 'x', 'é', '💬', '7', '\0', '\uFEFF',
  '\n', '\r', '\r\n', '\n\n', '\r\r', 'bogus: 1',
);
const streamArb = fc.oneof(
  fc.array(tokenArb, { maxLength: 60 }).map((tokens) => tokens.join('')),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

function splitAt(stream: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(stream.slice(from, point));
    from = point;
  }
  chunks.push(stream.slice(from));
  return chunks;
}

describe('SSE parser chunking', () => {
  it('parses a stream split into chunks at any positions exactly as when fed whole', () => {
    fc.assert(
      fc.property(streamArb, fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (stream, cuts, addEmpty) => {
        const chunks = splitAt(stream, cuts).flatMap((chunk) => (addEmpty ? [chunk, ''] : [chunk]));
        expect(parse(...chunks)).toEqual(parse(stream));
      }),
      { numRuns: 5000 },
    );
  });

  it('parses a stream fed one character at a time exactly as when fed whole', () => {
    fc.assert(
      fc.property(streamArb, (stream) => {
        expect(parse(...stream)).toEqual(parse(stream));
      }),
      { numRuns: 1000 },
    );
  });
});
