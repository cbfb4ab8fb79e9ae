import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareEventIds, isAfter, isBefore, oldestCursor } from './event-id-order.js';

const id = (seq: number, epoch = 'e1'): string => `${epoch}-${seq}`;

describe('event id order', () => {
  it('orders ids of one log by position, and never across logs', () => {
    expect(compareEventIds(id(2), id(10))).toBeLessThan(0);
    expect(compareEventIds(id(10), id(10))).toBe(0);
    expect(compareEventIds(id(1, 'a'), id(2, 'b'))).toBeNull();
    expect(compareEventIds('garbage', id(1))).toBeNull();
    expect(compareEventIds('e-1.5', 'e-2.3')).toBeNull();
    expect(compareEventIds('e-1.5', 'e-2.5')).toBeLessThan(0);
  });

  it('agrees with numeric order for every pair of single-partition ids', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.maxSafeNat(), (a, b) => {
        expect(Math.sign(compareEventIds(id(a), id(b))!)).toBe(Math.sign(a - b));
        expect(isAfter(id(a), id(b))).toBe(a > b);
        expect(isBefore(id(a), id(b))).toBe(a < b);
      }),
    );
  });

  it('counts an id of a recreated log as newer, so nothing from the new log is dropped', () => {
    expect(isAfter(id(1, 'new'), id(900, 'old'))).toBe(true);
    expect(isAfter(id(1), undefined)).toBe(true);
  });

  it('picks the oldest cursor of the reference log and leaves other logs out', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.nat(), { nil: undefined }), { maxLength: 12 }), (seqs) => {
        const defined = seqs.filter((seq): seq is number => seq !== undefined);
        const expected = defined.length === 0 ? undefined : id(Math.min(...defined));
        expect(oldestCursor(seqs.map((seq) => (seq === undefined ? undefined : id(seq))))).toBe(expected);
      }),
    );
    expect(oldestCursor([id(5, 'old'), id(9), id(7)], id(8))).toBe(id(7));
  });
});
