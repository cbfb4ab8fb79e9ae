import { SsehubError } from './errors.js';

/** Longest cursor string accepted. @default 256 */
export const MAX_CURSOR_LENGTH = 256;

/**
 * A position in the event log: the log's epoch plus one position per partition (one today).
 * Opaque to clients; they only echo it back as `Last-Event-ID`.
 */
export interface Cursor {
  readonly epoch: string;
  readonly positions: readonly number[];
}

const EPOCH_PATTERN = /^[a-z0-9]{1,32}$/;
const POSITION_PATTERN = /^(?:0|[1-9][0-9]{0,15})$/;

/** True when `epoch` can stand in a cursor. */
export function isValidEpoch(epoch: string): boolean {
  return EPOCH_PATTERN.test(epoch);
}

/** Turns a cursor into its wire form `<epoch>-<pos>[.<pos>...]`; throws on a cursor that would not decode. */
export function encodeCursor(cursor: Cursor): string {
  // An id the decoder rejects could never be resumed from, so a bad epoch (say an ISO date) fails loudly here.
  if (!EPOCH_PATTERN.test(cursor.epoch)) {
    throw new SsehubError('invalid_cursor', `cursor epoch must be 1-32 characters of [a-z0-9], got ${JSON.stringify(cursor.epoch)}`);
  }
  if (cursor.positions.length === 0 || !cursor.positions.every((p) => Number.isSafeInteger(p) && p >= 0)) {
    throw new SsehubError('invalid_cursor', `cursor positions must be non-negative safe integers, got [${cursor.positions.join(', ')}]`);
  }
  const encoded = `${cursor.epoch}-${cursor.positions.join('.')}`;
  if (encoded.length > MAX_CURSOR_LENGTH) {
    throw new SsehubError('invalid_cursor', `cursor longer than ${MAX_CURSOR_LENGTH} characters`);
  }
  return encoded;
}

/** Parses a wire cursor; answers `null` for anything malformed (never throws). */
export function decodeCursor(value: string): Cursor | null {
  // Callers pass raw headers and query values; a non-string at runtime is just malformed.
  if (typeof value !== 'string' || value.length > MAX_CURSOR_LENGTH) return null;
  const dash = value.indexOf('-');
  if (dash < 0) return null;
  const epoch = value.slice(0, dash);
  if (!EPOCH_PATTERN.test(epoch)) return null;
  const parts = value.slice(dash + 1).split('.');
  const positions: number[] = [];
  for (const part of parts) {
    if (!POSITION_PATTERN.test(part)) return null;
    const position = Number(part);
    if (!Number.isSafeInteger(position)) return null;
    positions.push(position);
  }
  return { epoch, positions };
}
