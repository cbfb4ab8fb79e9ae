import type { Broker, StoredEvent } from '../broker.js';

/** [from, to) */
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** The `n` each event carries in its data. */
export const numbers = (events: readonly StoredEvent[]): number[] => events.map((event) => (event.data as { n: number }).n);

/** Publishes `{ n }` for n in [from, to), one acknowledged publish after another. */
export async function publishNumbered(broker: Broker, topic: string, from: number, to: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (const n of range(from, to)) out.push(...(await broker.publish([{ topic, type: 'test.n', data: { n } }])));
  return out;
}
