import { decodeCursor } from '../cursor.js';

/**
 * Orders two event ids of one log: negative when `a` came first, 0 when equal, `null` when they cannot
 * be ordered (different epochs, malformed, or partitions moved in opposite directions).
 */
export function compareEventIds(a: string, b: string): number | null {
  const left = decodeCursor(a);
  const right = decodeCursor(b);
  if (!left || !right || left.epoch !== right.epoch || left.positions.length !== right.positions.length) return null;
  let sign = 0;
  for (let index = 0; index < left.positions.length; index++) {
    const difference = Math.sign(left.positions[index]! - right.positions[index]!);
    if (difference === 0) continue;
    if (sign !== 0 && difference !== sign) return null;
    sign = difference;
  }
  return sign;
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

/** True when both ids name positions of the same log (same epoch). */
export function sameLog(a: string, b: string): boolean {
  const left = decodeCursor(a);
  return left !== null && left.epoch === decodeCursor(b)?.epoch;
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
