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

/** Turns a cursor into its wire form `<epoch>-<pos>[.<pos>...]`. */
export function encodeCursor(cursor: Cursor): string {
  return `${cursor.epoch}-${cursor.positions.join('.')}`;
}

/** Parses a wire cursor; answers `null` for anything malformed (never throws). */
export function decodeCursor(value: string): Cursor | null {
  if (value.length > MAX_CURSOR_LENGTH) return null;
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
