import { decodeCursor } from '../cursor.js';
import { decodePartitionCursor } from '../partition-cursor.js';

/**
 * Orders two event ids of one log: negative when `a` came first, 0 when equal, `null` when they cannot
 * be ordered (different epochs or partition counts, malformed, no partition in common, or partitions
 * moved in opposite directions: events of different partitions have no order).
 */
export function compareEventIds(a: string, b: string): number | null {
  const pairs = positionPairs(a, b);
  if (!pairs) return null;
  let sign = 0;
  for (const [left, right] of pairs) {
    const difference = Math.sign(left - right);
    if (difference === 0) continue;
    if (sign !== 0 && difference !== sign) return null;
    sign = difference;
  }
  return sign;
}

/** The positions two ids both have, side by side; `null` when they are not ids of one log. */
function positionPairs(a: string, b: string): [number, number][] | null {
  const left = decodeCursor(a);
  const right = decodeCursor(b);
  if (left && right) {
    if (left.epoch !== right.epoch || left.positions.length !== right.positions.length) return null;
    return left.positions.map((position, index) => [position, right.positions[index]!]);
  }
  const leftParts = decodePartitionCursor(a);
  const rightParts = decodePartitionCursor(b);
  if (!leftParts || !rightParts || leftParts.partitions !== rightParts.partitions) return null;
  const pairs: [number, number][] = [];
  for (const [partition, position] of leftParts.positions) {
    const other = rightParts.positions.get(partition);
    if (other !== undefined) pairs.push([position, other]);
  }
  return pairs.length > 0 ? pairs : null;
}

/** True when `id` comes after `cursor`; an id of another epoch counts as newer (the log was recreated). */
export function isAfter(id: string, cursor: string | undefined): boolean {
  if (cursor === undefined) return true;
  const order = compareEventIds(id, cursor);
  return order === null || order > 0;
}

/** True when `cursor` is known to come before `than` in the same log. */
export function isBefore(cursor: string, than: string): boolean {
  const order = compareEventIds(cursor, than);
  return order !== null && order < 0;
}

/** True when both ids name positions of the same log (same epoch, or the same partitions of one). */
export function sameLog(a: string, b: string): boolean {
  return positionPairs(a, b) !== null;
}

/**
 * The oldest of several cursors of one log, where resuming serves every one of them. The log is the
 * one of `reference` (or of the first cursor given); cursors of other epochs are left out.
 */
export function oldestCursor(cursors: readonly (string | undefined)[], reference?: string): string | undefined {
  let oldest: string | undefined;
  const anchor = reference ?? cursors.find((cursor) => cursor !== undefined);
  for (const cursor of cursors) {
    if (cursor === undefined || anchor === undefined || !sameLog(cursor, anchor)) continue;
    if (oldest === undefined || isBefore(cursor, oldest)) oldest = cursor;
  }
  return oldest;
}
