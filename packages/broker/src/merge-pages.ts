import type { StoredEvent } from './broker.js';

/** Merges per-topic pages (each oldest first) into one page in log order, at most `limit` long. */
export function mergePages(pages: readonly (readonly StoredEvent[])[], limit: number): StoredEvent[] {
  const nonEmpty = pages.filter((page) => page.length > 0);
  if (nonEmpty.length === 1) return nonEmpty[0]!.slice(0, limit);
  return nonEmpty
    .flat()
    .sort((a, b) => a.seq - b.seq)
    .slice(0, limit);
}
