import { describe, expect, it } from 'vitest';
import { compareEventIds, createOrderedIds } from './event-order.js';

describe('compareEventIds', () => {
  it('orders ids of one epoch by position, not as strings', () => {
    expect(compareEventIds('e1-9', 'e1-10')).toBeLessThan(0);
    expect(compareEventIds('e1-10', 'e1-9')).toBeGreaterThan(0);
    expect(compareEventIds('e1-10', 'e1-10')).toBe(0);
  });

  it('orders partitioned cursors position by position', () => {
    expect(compareEventIds('e1-3.7', 'e1-3.8')).toBeLessThan(0);
  });
});

describe('createOrderedIds', () => {
  it('keeps ids in log order and refuses duplicates', () => {
    const ids = createOrderedIds();
    expect(ids.insert('e1-5')).toBe(0);
    expect(ids.insert('e1-10')).toBe(1);
    expect(ids.insert('e1-7')).toBe(1);
    expect(ids.insert('e1-1')).toBe(0);
    expect(ids.insert('e1-7')).toBe(-1);
    expect(ids.size).toBe(4);
  });

  it('accepts ids again after clear', () => {
    const ids = createOrderedIds();
    ids.insert('e1-1');
    ids.clear();
    expect(ids.insert('e1-1')).toBe(0);
  });
});
