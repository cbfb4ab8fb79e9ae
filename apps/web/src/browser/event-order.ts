import { decodeAnyCursor, encodePartitionCursor, partitionOf } from '@ssehub/protocol';

/**
 * Orders two event ids as the log does (negative when `a` came first); ids are opaque elsewhere. A
 * room's events are all of one partition, so their ids order by that partition's position. Ids the
 * log cannot order (different epochs or partitions) fall back to their text, so the order is still
 * total; the page refetches on `ssehub.reset` anyway.
 */
export function compareEventIds(a: string, b: string): number {
  const left = decodeAnyCursor(a);
  const right = decodeAnyCursor(b);
  if (left?.kind === 'log' && right?.kind === 'log' && left.cursor.epoch === right.cursor.epoch) {
    const length = Math.max(left.cursor.positions.length, right.cursor.positions.length);
    for (let index = 0; index < length; index += 1) {
      const difference = (left.cursor.positions[index] ?? 0) - (right.cursor.positions[index] ?? 0);
      if (difference !== 0) return difference;
    }
    return 0;
  }
  if (left?.kind === 'partitioned' && right?.kind === 'partitioned' && left.cursor.partitions === right.cursor.partitions) {
    for (const [partition, position] of left.cursor.positions) {
      const other = right.cursor.positions.get(partition);
      if (other !== undefined && other !== position) return position - other;
    }
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A set of event ids kept in log order, answering where a new one belongs. */
export interface OrderedIds {
  /** Index at which `id` was inserted, or -1 when it was already there (a duplicate). */
  insert(id: string): number;
  clear(): void;
  readonly size: number;
}

/** Creates an empty {@link OrderedIds}. */
export function createOrderedIds(): OrderedIds {
  const ids: string[] = [];
  const known = new Set<string>();
  return {
    insert(id) {
      if (known.has(id)) return -1;
      known.add(id);
      // Binary search for the first id after this one; live events almost always land at the end.
      let low = 0;
      let high = ids.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (compareEventIds(ids[middle] ?? '', id) < 0) low = middle + 1;
        else high = middle;
      }
      ids.splice(low, 0, id);
      return low;
    },
    clear() {
      ids.length = 0;
      known.clear();
    },
    get size() {
      return ids.length;
    },
  };
}

/**
 * One name per event, whichever stream or page it came in: on a partitioned log a stream's ids name
 * every partition the stream follows, so the same event has a different id in a stream over several
 * rooms than in a room's history page. Its position in its own topic's partition is the same in all.
 */
export function eventKey(id: string, topic: string): string {
  const parsed = decodeAnyCursor(id);
  if (parsed?.kind !== 'partitioned') return id;
  const { partitions, positions } = parsed.cursor;
  const partition = partitionOf(topic, partitions);
  const position = positions.get(partition);
  return position === undefined ? id : encodePartitionCursor({ partitions, positions: new Map([[partition, position]]) });
}
