/** Padding that makes the bench payload about 100 bytes of JSON, like the events in the Nchan figures. */
export const PAYLOAD_PAD = 'x'.repeat(58);

/** The bench payload: per-topic number, publish time on the shared clock (ms, sub-ms precision), padding. */
export interface BenchPayload {
  readonly n: number;
  readonly t: number;
  readonly p: string;
}

/** Now on the clock every bench process shares (wall clock with sub-millisecond precision). */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** What to publish: `count` topics from a template, each event to the next topic in turn. */
export interface PublishPlan {
  /** `{i}` becomes the topic index, e.g. `users/{i}/notifications`. */
  readonly topicTemplate: string;
  readonly topics: number;
  /** Events per second over all topics. */
  readonly rate: number;
  readonly durationMs: number;
}

/** Topic names of a plan, index → name. */
export function planTopics(plan: Pick<PublishPlan, 'topicTemplate' | 'topics'>): string[] {
  return Array.from({ length: plan.topics }, (_, i) => plan.topicTemplate.replaceAll('{i}', String(i)));
}

/**
 * Publishes at an even rate: each timer fires when the next event is due, so at rates up to 1,000/s
 * every event is published on its own turn of the event loop (as separate HTTP publishes would be),
 * and above that the events due in the same millisecond go out together.
 */
export function pace(rate: number, durationMs: number, publish: (index: number) => void): Promise<number> {
  const total = Math.round((rate * durationMs) / 1000);
  const start = performance.now();
  let sent = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      while (sent < due) publish(sent++);
      if (sent >= total) return resolve(sent);
      const nextAt = start + (sent * 1000) / rate;
      setTimeout(tick, Math.max(0, nextAt - performance.now()));
    };
    tick();
  });
}
