/** FNV-1a 32-bit offset basis: the hash of the empty input. @default 0x811c9dc5 */
export const FNV1A32_OFFSET_BASIS = 0x811c9dc5;
/** FNV-1a 32-bit prime. @default 0x01000193 */
export const FNV1A32_PRIME = 0x01000193;

const utf8 = new TextEncoder();

/** FNV-1a 32-bit hash of the UTF-8 bytes of `text`, as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = FNV1A32_OFFSET_BASIS;
  for (const byte of utf8.encode(text)) hash = Math.imul(hash ^ byte, FNV1A32_PRIME);
  return hash >>> 0;
}

/**
 * The partition a topic belongs to: FNV-1a-32 of its UTF-8 bytes mod `partitions` (issue 15's
 * mapping). A local copy until the bench can import the canonical one from `@ssehub/protocol`.
 */
export function partitionOf(topic: string, partitions: number): number {
  return fnv1a32(topic) % partitions;
}
