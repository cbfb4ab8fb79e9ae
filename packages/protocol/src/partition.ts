/**
 * Which partition a topic belongs to: FNV-1a (32-bit) over the topic's UTF-8 bytes, modulo the number
 * of partitions. Any language can compute it: offset basis 0x811c9dc5, prime 0x01000193, and the
 * remainder of the unsigned 32-bit hash. Test vectors: partitionOf('rooms/lobby', 16) = 12,
 * fnv1a32('') = 0x811c9dc5, fnv1a32('a') = 0xe40c292c, fnv1a32('foobar') = 0xbf9cf968.
 */
export function partitionOf(topic: string, partitions: number): number {
  return partitions <= 1 ? 0 : fnv1a32(topic) % partitions;
}

const encoder = new TextEncoder();

/** FNV-1a, 32-bit, over the UTF-8 bytes of `text`; an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  // Topics are ASCII by their grammar; the encoder keeps any other text byte-exact all the same.
  const bytes = /^[\x00-\x7f]*$/.test(text) ? undefined : encoder.encode(text);
  const length = bytes ? bytes.length : text.length;
  for (let index = 0; index < length; index++) {
    hash ^= bytes ? bytes[index]! : text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
