import { describe, expect, it } from 'vitest';
import { encodePartitionCursor, partitionOf } from '@ssehub/protocol';
import { compareEventIds, createOrderedIds, eventKey } from './event-order.js';

describe('compareEventIds', () => {
  it('orders ids of one epoch by position, not as strings', () => {
    expect(compareEventIds('e1-9', 'e1-10')).toBeLessThan(0);
    expect(compareEventIds('e1-10', 'e1-9')).toBeGreaterThan(0);
    expect(compareEventIds('e1-10', 'e1-10')).toBe(0);
  });

  it('orders partitioned cursors position by position', () => {
    expect(compareEventIds('e1-3.7', 'e1-3.8')).toBeLessThan(0);
  });

  it('orders the tokens of a partitioned log by a partition they share', () => {
    const token = (entries: [number, number][]): string => encodePartitionCursor({ partitions: 8, positions: new Map(entries) });
    expect(compareEventIds(token([[2, 100]]), token([[2, 105], [5, 1]]))).toBeLessThan(0);
    expect(compareEventIds(token([[2, 105]]), token([[2, 100]]))).toBeGreaterThan(0);
  });
});

describe('eventKey', () => {
  it("names an event by its own topic's partition position, whatever else its stream's id holds", () => {
    const topic = 'rooms/lobby';
    const own = partitionOf(topic, 8);
    const other = (own + 1) % 8;
    const inHistory = encodePartitionCursor({ partitions: 8, positions: new Map([[own, 4096]]) });
    const inStream = encodePartitionCursor({ partitions: 8, positions: new Map([[own, 4096], [other, 77]]) });
    expect(eventKey(inStream, topic)).toBe(inHistory);
    expect(eventKey(inHistory, topic)).toBe(inHistory);
    expect(eventKey('e1-5', topic)).toBe('e1-5');
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
