// Fuzzing of the wire path a gateway and a browser share: envelope -> JSON -> SSE frame -> UTF-8
// bytes cut anywhere -> streaming TextDecoder -> parser -> envelope. Whatever a publisher puts in
// `data` (line breaks, `data:` lines, NUL, lone surrogates) must come out equal, in one frame.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';
import { formatSseComment, formatSseFrame } from './sse-format.js';
import { createSseParser, type SseMessage } from './sse-parser.js';

const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(fc.constantFrom('\n', '\r', '\r\n', '\n\ndata: x\n\n', 'id: 9', 'event: ssehub.reset', ':', '\0', '\ud800', '\udc00', '💬', 'é', '\u2028'), { maxLength: 20 }).map((parts) => parts.join('')),
);
const dataArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileText,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileText, tie('value'), { maxKeys: 4 }),
  ),
})).value;

function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of at) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** Decodes like a browser reading a fetch body: a streaming UTF-8 decoder in front of the parser. */
function receive(chunks: Uint8Array[]): SseMessage[] {
  const messages: SseMessage[] = [];
  const parser = createSseParser({ onMessage: (message) => messages.push(message) });
  const decoder = new TextDecoder();
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
  parser.feed(decoder.decode());
  return messages;
}

describe('wire path fuzzing', () => {
  it('delivers any JSON data unchanged, as exactly the frames sent, however the bytes are cut', () => {
    fc.assert(
      fc.property(fc.array(dataArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 10 }), (datas, points) => {
        const envelopes = datas.map((data, i) => ({ id: `e1-${i + 1}`, topic: 'rooms/a', type: 'x.y', data, ts: i }));
        const stream =
          formatSseComment('hb') +
          envelopes.map((envelope) => formatSseFrame({ id: envelope.id, event: envelope.type, data: JSON.stringify(envelope) })).join(formatSseComment('hb\n\ndata: no'));
        const messages = receive(cut(new TextEncoder().encode(stream), points));
        expect(messages.map((m) => [m.event, m.lastEventId])).toEqual(envelopes.map((e) => ['x.y', e.id]));
        expect(messages.map((m) => JSON.parse(m.data))).toEqual(envelopes.map((e) => JSON.parse(JSON.stringify(e))));
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws on cursors mutated from valid ones, and re-encodes exactly what it accepts', () => {
    const valid = fc.record({ epoch: fc.stringMatching(/^[a-z0-9]{1,32}$/), positions: fc.array(fc.maxSafeNat(), { minLength: 1, maxLength: 3 }) }).map(encodeCursor);
    const mutated = fc.tuple(valid, fc.nat(), fc.constantFrom('', '-', '.', '0', '9', 'a', 'A', ' ', '\n', '\ud800', '99999999999999999', '--')).map(
      ([cursor, at, insert]) => cursor.slice(0, at % (cursor.length + 1)) + insert + cursor.slice((at % (cursor.length + 1)) + (at % 2)),
    );
    fc.assert(
      fc.property(mutated, (value) => {
        const cursor = decodeCursor(value);
        if (cursor) expect(encodeCursor(cursor)).toBe(value);
      }),
      { numRuns: 20_000 },
    );
  });
});
