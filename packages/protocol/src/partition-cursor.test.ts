import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CURSOR_LENGTH } from './cursor.js';
import {
  MAX_PARTITION_CURSOR_LENGTH,
  cursorLengthLimit,
  decodeAnyCursor,
  decodePartitionCursor,
  encodePartitionCursor,
  type PartitionCursor,
} from './partition-cursor.js';

const cursorArb: fc.Arbitrary<PartitionCursor> = fc.integer({ min: 2, max: 64 }).chain((partitions) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: partitions - 1 }), { minLength: 1, maxLength: Math.min(partitions, 32) })
    .chain((indexes) =>
      fc.tuple(...indexes.map(() => fc.oneof(fc.nat(), fc.maxSafeNat()))).map((positions) => ({
        partitions,
        positions: new Map(indexes.map((index, at) => [index, positions[at]!])),
      })),
    ),
);

describe('partitioned cursor codec', () => {
  it('round-trips every cursor', () => {
    fc.assert(
      fc.property(cursorArb, (cursor) => {
        const decoded = decodePartitionCursor(encodePartitionCursor(cursor));
        expect(decoded?.partitions).toBe(cursor.partitions);
        expect([...decoded!.positions].sort((a, b) => a[0] - b[0])).toEqual([...cursor.positions].sort((a, b) => a[0] - b[0]));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes a one-partition cursor in a few characters', () => {
    expect(encodePartitionCursor({ partitions: 4, positions: new Map([[2, 5]]) })).toBe('~345.0');
  });

  it('stays within 256 characters for 32 partitions of 64 whose positions lie within 64^6 of each other', () => {
    // Positions are numbered from each partition's creation time (ms × 1024) plus its count: partitions
    // created within 18 hours of each other, or that differ by up to 68 billion events, stay in range.
    const base = Date.now() * 1024;
    const positions = new Map(Array.from({ length: 32 }, (_, n) => [n * 2, base + (64 ** 6 - 1) * (n % 2)]));
    const encoded = encodePartitionCursor({ partitions: 64, positions });
    expect(encoded.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    expect(decodePartitionCursor(encoded)?.positions).toEqual(positions);
  });

  it('accepts what it issues when the positions drifted far apart, up to the longest a token can be', () => {
    const widest = new Map(Array.from({ length: 64 }, (_, n) => [n, n % 2 === 0 ? Number.MAX_SAFE_INTEGER : 0]));
    const encoded = encodePartitionCursor({ partitions: 64, positions: widest });
    expect(encoded.length).toBeGreaterThan(MAX_CURSOR_LENGTH);
    expect(encoded.length).toBeLessThanOrEqual(MAX_PARTITION_CURSOR_LENGTH);
    expect(cursorLengthLimit(encoded)).toBe(MAX_PARTITION_CURSOR_LENGTH);
    expect(decodePartitionCursor(encoded)?.positions).toEqual(widest);
    expect(cursorLengthLimit('abc-1')).toBe(MAX_CURSOR_LENGTH);
  });

  it.each([
    ['a single-log cursor', 'abc-1'],
    ['no mark', '345.0'],
    ['one partition', '~045.0'],
    ['a partition beyond the count', '~3G5.0'],
    ['no partition covered', '~305'],
    ['fewer positions than partitions', '~375.0'],
    ['more positions than partitions', '~345.0.0'],
    ['a difference above the highest position', '~345.6'],
    ['a leading zero', '~3405.0'],
    ['a character outside the digits', '~34*.0'],
    ['an empty position', '~345.'],
    ['a highest position over 9 digits', `~34${'5'.repeat(300)}.0`],
    ['too long', `~34${'5'.repeat(9)}${'.0'.repeat(400)}`],
  ])('rejects %s', (_, value) => {
    expect(decodePartitionCursor(value)).toBeNull();
  });

  it('tells the two forms apart', () => {
    expect(decodeAnyCursor('abc-1')).toEqual({ kind: 'log', cursor: { epoch: 'abc', positions: [1] } });
    expect(decodeAnyCursor('~345.0')?.kind).toBe('partitioned');
    expect(decodeAnyCursor('~')).toBeNull();
  });

  it('refuses to encode what it could not decode', () => {
    expect(() => encodePartitionCursor({ partitions: 1, positions: new Map([[0, 1]]) })).toThrow(/2-64 partitions/);
    expect(() => encodePartitionCursor({ partitions: 4, positions: new Map() })).toThrow(/covers partitions/);
    expect(() => encodePartitionCursor({ partitions: 4, positions: new Map([[4, 1]]) })).toThrow(/covers partitions/);
    expect(() => encodePartitionCursor({ partitions: 4, positions: new Map([[0, -1]]) })).toThrow(/non-negative/);
  });
});
