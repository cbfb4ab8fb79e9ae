import { describe, expect, it } from 'vitest';
import { fnv1a32, partitionOf } from './partition.js';

describe('partitionOf', () => {
  it('hashes with FNV-1a 32-bit over UTF-8 bytes (the documented test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('rooms/lobby')).toBe(0xc6c759ec);
    expect(fnv1a32('é')).toBe(0x1e9de8c1);
  });

  it('places a topic by the hash modulo the partition count', () => {
    expect(partitionOf('rooms/lobby', 16)).toBe(12);
    expect(partitionOf('rooms/lobby', 64)).toBe(44);
    expect(partitionOf('users/alice', 8)).toBe(4);
    expect(partitionOf('rooms/lobby', 1)).toBe(0);
  });

  it('spreads many topics evenly', () => {
    const counts = new Array<number>(8).fill(0);
    for (let n = 0; n < 8000; n++) counts[partitionOf(`rooms/r${n}`, 8)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});
