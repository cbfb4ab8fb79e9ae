/** Characters of an epoch's creation time: base36 milliseconds are 8 characters from 1973 to 2059. */
const TIME_CHARS = 8;

/** A fresh epoch: base36 creation time (ms) plus randomness, so two processes never share one. */
export function newEpoch(): string {
  const random = Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0');
  return `${Date.now().toString(36).padStart(TIME_CHARS, '0')}${random}`;
}

/** When an epoch made by {@link newEpoch} was created (ms since the Unix epoch). */
export function epochCreatedAt(epoch: string): number {
  return parseInt(epoch.slice(0, TIME_CHARS), 36);
}
