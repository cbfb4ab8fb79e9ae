import { MAX_CURSOR_LENGTH, decodeCursor, type Cursor } from './cursor.js';
import { SsehubError } from './errors.js';

/** Marks the partitioned form; a single-log cursor starts with its epoch, `[a-z0-9]`. */
const MARK = '~';

/** Most partitions a partitioned cursor can name: one bit each in its mask. @default 64 */
export const MAX_CURSOR_PARTITIONS = 64;

/**
 * Longest partitioned cursor accepted: the longest one can be (mark, count, 64-partition mask, a
 * 9-digit highest position and 64 differences of up to 9 digits). What ssehub issues stays within
 * {@link MAX_CURSOR_LENGTH} while its partitions' positions lie close together (see
 * {@link encodePartitionCursor}); one issued after they drifted apart must still resume, never be refused.
 * @default 662
 */
export const MAX_PARTITION_CURSOR_LENGTH = 2 + 11 + 9 + MAX_CURSOR_PARTITIONS * 10;

/** The longest a cursor of `value`'s form may be: a partitioned one's, or a single log's. */
export function cursorLengthLimit(value: string): number {
  return value.startsWith(MARK) ? MAX_PARTITION_CURSOR_LENGTH : MAX_CURSOR_LENGTH;
}

/**
 * A position in a partitioned log: the number of partitions, and for each partition the stream's
 * topics map to, the last position delivered in it. Positions of different partitions are unrelated.
 */
export interface PartitionCursor {
  readonly partitions: number;
  /** Partition index → position, for the partitions the cursor covers (at least one). */
  readonly positions: ReadonlyMap<number, number>;
}

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
const DIGIT_VALUE = new Map([...DIGITS].map((digit, value) => [digit, value]));
const BITS_PER_DIGIT = 6;

function toDigits(value: number): string {
  let out = '';
  do {
    out = DIGITS[value % 64]! + out;
    value = Math.floor(value / 64);
  } while (value > 0);
  return out;
}

function fromDigits(text: string): number | null {
  if (text.length === 0 || text.length > 9 || (text.length > 1 && text[0] === '0')) return null;
  let value = 0;
  for (const digit of text) {
    const digitValue = DIGIT_VALUE.get(digit);
    if (digitValue === undefined) return null;
    value = value * 64 + digitValue;
  }
  return Number.isSafeInteger(value) ? value : null;
}

/** Mask digits for `partitions` partitions: 6 partitions per digit, lowest partitions first. */
const maskLength = (partitions: number): number => Math.ceil(partitions / BITS_PER_DIGIT);

/**
 * Turns a partitioned cursor into its wire form `~<P-1><mask><max>.<max-p>.<max-p>...`, every number
 * in base64url digits: the mask names the covered partitions, then the highest position and, for each
 * covered partition in index order, how far below it that partition's position is. Positions of a
 * deployment's partitions are numbered from each log's creation time, so they lie close together and
 * the differences stay short: 32 partitions fit in 256 characters.
 */
export function encodePartitionCursor(cursor: PartitionCursor): string {
  const { partitions, positions } = cursor;
  if (!Number.isInteger(partitions) || partitions < 2 || partitions > MAX_CURSOR_PARTITIONS) {
    throw new SsehubError('invalid_cursor', `a partitioned cursor has 2-${MAX_CURSOR_PARTITIONS} partitions, got ${partitions}`);
  }
  const indexes = [...positions.keys()].sort((a, b) => a - b);
  if (indexes.length === 0 || !indexes.every((index) => Number.isInteger(index) && index >= 0 && index < partitions)) {
    throw new SsehubError('invalid_cursor', `a partitioned cursor covers partitions 0-${partitions - 1}, got [${indexes.join(', ')}]`);
  }
  let max = 0;
  for (const position of positions.values()) {
    if (!Number.isSafeInteger(position) || position < 0) throw new SsehubError('invalid_cursor', `cursor positions must be non-negative safe integers, got ${position}`);
    if (position > max) max = position;
  }
  const mask = new Array<number>(maskLength(partitions)).fill(0);
  for (const index of indexes) mask[Math.floor(index / BITS_PER_DIGIT)]! |= 1 << index % BITS_PER_DIGIT;
  let encoded = MARK + DIGITS[partitions - 1]! + mask.map((bits) => DIGITS[bits]!).join('') + toDigits(max);
  for (const index of indexes) encoded += '.' + toDigits(max - positions.get(index)!);
  return encoded;
}

/** Parses a partitioned cursor; answers `null` for anything malformed (never throws). */
export function decodePartitionCursor(value: string): PartitionCursor | null {
  if (typeof value !== 'string' || value.length > MAX_PARTITION_CURSOR_LENGTH || value[0] !== MARK) return null;
  const partitions = (DIGIT_VALUE.get(value[1] ?? '') ?? -1) + 1;
  if (partitions < 2) return null;
  const maskEnd = 2 + maskLength(partitions);
  const indexes: number[] = [];
  for (let digit = 2; digit < maskEnd; digit++) {
    const bits = DIGIT_VALUE.get(value[digit] ?? '');
    if (bits === undefined) return null;
    for (let bit = 0; bit < BITS_PER_DIGIT; bit++) {
      if ((bits & (1 << bit)) === 0) continue;
      const index = (digit - 2) * BITS_PER_DIGIT + bit;
      if (index >= partitions) return null;
      indexes.push(index);
    }
  }
  const [maxText, ...differences] = value.slice(maskEnd).split('.');
  const max = fromDigits(maxText ?? '');
  if (max === null || indexes.length === 0 || differences.length !== indexes.length) return null;
  const positions = new Map<number, number>();
  for (const [at, index] of indexes.entries()) {
    const difference = fromDigits(differences[at]!);
    if (difference === null || difference > max) return null;
    positions.set(index, max - difference);
  }
  return { partitions, positions };
}

/** Either form of cursor ssehub issues: one log's (`<epoch>-<pos>`) or a partitioned log's (`~…`). */
export type AnyCursor = { readonly kind: 'log'; readonly cursor: Cursor } | { readonly kind: 'partitioned'; readonly cursor: PartitionCursor };

/** Parses either form of cursor; `null` for anything ssehub never issues. */
export function decodeAnyCursor(value: string): AnyCursor | null {
  const partitioned = decodePartitionCursor(value);
  if (partitioned) return { kind: 'partitioned', cursor: partitioned };
  const cursor = decodeCursor(value);
  return cursor ? { kind: 'log', cursor } : null;
}
