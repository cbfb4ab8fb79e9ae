import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CURSOR_LENGTH, decodeCursor, encodeCursor, isValidEpoch, type Cursor } from './cursor.js';
import { SsehubError } from './errors.js';

const epochArb = fc.string({ unit: fc.constantFrom(...'abcxyz0189'.split('')), minLength: 1, maxLength: 32 });
const positionArb = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constant(0), fc.constant(Number.MAX_SAFE_INTEGER));
const cursorArb: fc.Arbitrary<Cursor> = fc.record({
  epoch: epochArb,
  positions: fc.array(positionArb, { minLength: 1, maxLength: 8 }),
});

describe('cursor codec', () => {
  it('encodes as <epoch>-<pos>[.<pos>...]', () => {
    expect(encodeCursor({ epoch: 'lx2k9a', positions: [42] })).toBe('lx2k9a-42');
    expect(encodeCursor({ epoch: '0', positions: [0, 7, 9] })).toBe('0-0.7.9');
  });

  it('round-trips every valid cursor', () => {
    fc.assert(
      fc.property(cursorArb, (cursor) => {
        expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips the largest safe position', () => {
    const cursor = { epoch: 'e', positions: [Number.MAX_SAFE_INTEGER] };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['empty', ''],
    ['no dash', 'abc'],
    ['empty epoch', '-5'],
    ['empty position', 'abc-'],
    ['empty trailing position', 'abc-1.'],
    ['empty middle position', 'abc-1..2'],
    ['uppercase epoch', 'ABC-1'],
    ['mixed case epoch', 'aBc-1'],
    ['epoch with punctuation', 'a_b-1'],
    ['33-character epoch', `${'a'.repeat(33)}-1`],
    ['negative position', 'abc--1'],
    ['leading zero', 'abc-01'],
    ['leading zeros', 'abc-0007'],
    ['plus sign', 'abc-+1'],
    ['exponent', 'abc-1e3'],
    ['hex', 'abc-0x10'],
    ['fraction', 'abc-1.5x'],
    ['spaces', 'abc- 1'],
    ['trailing space', 'abc-1 '],
    ['trailing newline', 'abc-1\n'],
    ['unicode digits', 'abc-١٢'],
    ['beyond MAX_SAFE_INTEGER', `abc-${Number.MAX_SAFE_INTEGER + 1}`],
    ['16 nines', 'abc-9999999999999999'],
    ['17 digits', 'abc-12345678901234567'],
    ['huge', `abc-${'9'.repeat(400)}`],
    ['too long overall', `abc-${'1.'.repeat(MAX_CURSOR_LENGTH)}1`],
    ['garbage', '💥-💥'],
  ])('rejects %s', (_name, value) => {
    expect(decodeCursor(value)).toBeNull();
  });

  it('answers null for values that are not strings at runtime', () => {
    for (const value of [undefined, null, 5, ['abc-1'], {}]) {
      expect(decodeCursor(value as unknown as string)).toBeNull();
    }
  });

  it('never throws on any string, and anything it accepts re-encodes to itself', () => {
    const anyString = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(...'ab09-.'.split('')), maxLength: 40 }),
    );
    fc.assert(
      fc.property(anyString, (value) => {
        const cursor = decodeCursor(value);
        if (cursor) expect(encodeCursor(cursor)).toBe(value);
      }),
      { numRuns: 3000 },
    );
  });

  // Regression: encodeCursor used to emit ids its own decoder rejects, which no client could resume from.
  it.each<[string, Cursor]>([
    ['an empty epoch', { epoch: '', positions: [1] }],
    ['an epoch with a dash (an ISO date)', { epoch: '2024-01-01T00:00:00Z', positions: [1] }],
    ['an uppercase epoch', { epoch: 'ABC', positions: [1] }],
    ['no positions', { epoch: 'abc', positions: [] }],
    ['a negative position', { epoch: 'abc', positions: [-1] }],
    ['a fractional position', { epoch: 'abc', positions: [1.5] }],
    ['an unsafe position', { epoch: 'abc', positions: [Number.MAX_SAFE_INTEGER + 1] }],
    ['NaN', { epoch: 'abc', positions: [Number.NaN] }],
    ['too many positions', { epoch: 'abc', positions: Array.from({ length: 20 }, () => Number.MAX_SAFE_INTEGER) }],
  ])('refuses to encode %s', (_name, cursor) => {
    expect(() => encodeCursor(cursor)).toThrow(SsehubError);
  });

  it('validates epochs', () => {
    expect(isValidEpoch('lx2k9a0')).toBe(true);
    expect(isValidEpoch('')).toBe(false);
    expect(isValidEpoch('a-b')).toBe(false);
    expect(isValidEpoch('A')).toBe(false);
    expect(isValidEpoch('a'.repeat(33))).toBe(false);
  });
});
