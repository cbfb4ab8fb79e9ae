import { describe, expect, it } from 'vitest';
import type { PresenceStore } from './broker.js';
import { compareAndSet } from './compare-and-set.js';
import { createMemoryPresenceStore } from './memory-presence.js';

describe('compareAndSet', () => {
  it('re-reads and retries when another writer got in between, applying the rewrite to what it wrote', async () => {
    const base = createMemoryPresenceStore();
    await base.put<number>('s', 'k', 1, null);
    let interfered = false;
    // Another node writes between this read and this write, once: the first put must fail.
    const store: PresenceStore = {
      ...base,
      put: async (scope, key, record, revision) => {
        if (!interfered) {
          interfered = true;
          await base.put<number>(scope, key, 10, (await base.get(scope, key)).revision);
        }
        return base.put(scope, key, record, revision);
      },
    };
    const seen: (number | null)[] = [];
    const outcome = await compareAndSet<number>(store, 's', 'k', (current) => {
      seen.push(current);
      return (current ?? 0) + 1;
    });
    expect(seen).toEqual([1, 10]);
    expect(outcome).toEqual({ before: 10, after: 11 });
    expect((await base.get<number>('s', 'k')).record).toBe(11);
  });

  it('deletes the record when the rewrite answers null', async () => {
    const store = createMemoryPresenceStore();
    await store.put<string>('s', 'k', 'x', null);
    expect(await compareAndSet<string>(store, 's', 'k', () => null)).toEqual({ before: 'x', after: null });
    expect(await store.users('s')).toEqual([]);
  });

  it('gives up naming the record after the attempts it was allowed', async () => {
    const store = createMemoryPresenceStore();
    const losing: PresenceStore = { ...store, put: async () => false };
    await expect(compareAndSet(losing, 'rooms/a', 'ana', () => null, 3)).rejects.toThrow('the record ana on rooms/a kept changing under 3 attempts');
  });
});
