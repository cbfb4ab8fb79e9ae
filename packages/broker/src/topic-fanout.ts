import type { BrokerBackend, LiveSignal, StoredEvent } from './broker.js';
import type { LocalSubscriber } from './local-subscriber.js';

/**
 * Local subscribers grouped by topic, ref-counted: the first subscriber of a topic makes the one
 * backend subscription for it, the last one to leave ends it.
 */
export class TopicFanout {
  private readonly subscribers = new Map<string, Set<LocalSubscriber>>();
  private readonly listening = new Map<string, Promise<void>>();
  // Topics whose listen resolved: their subscribers need not wait.
  private readonly live = new Set<string>();
  // Per live topic, the seq of a head read sent after its live delivery started (see seamOf).
  private readonly seams = new Map<string, number>();

  constructor(private readonly backend: BrokerBackend) {}

  /**
   * Adds a subscriber to its topics; the promise resolves once the backend delivers all of them live.
   * Undefined when they all are already: a connect to a followed topic waits for nothing.
   */
  add(subscriber: LocalSubscriber): Promise<void> | undefined {
    let pending: Promise<void>[] | undefined;
    for (const topic of subscriber.topics) {
      let set = this.subscribers.get(topic);
      if (!set) {
        set = new Set();
        this.subscribers.set(topic, set);
      }
      set.add(subscriber);
      if (this.live.has(topic)) continue;
      (pending ??= []).push(this.listen(topic));
    }
    return pending === undefined ? undefined : Promise.all(pending).then(noop);
  }

  remove(subscriber: LocalSubscriber): void {
    for (const topic of subscriber.topics) {
      const set = this.subscribers.get(topic);
      if (!set?.delete(subscriber) || set.size > 0) continue;
      this.subscribers.delete(topic);
      this.listening.delete(topic);
      this.live.delete(topic);
      this.seams.delete(topic);
      this.backend.unlisten(topic).catch(() => {
        // The backend is gone or closing; there is nothing left to unsubscribe from.
      });
    }
  }

  /**
   * A seq no event of `topics` that this node has not dispatched yet can be at or below, once it has
   * dispatched everything up to `dispatched`: every event past a topic's seam came after its live
   * delivery started, so it reaches the node in order. Undefined while a topic has no seam yet.
   */
  seamOf(topics: readonly string[], dispatched: number): number | undefined {
    let seam = dispatched;
    for (const topic of topics) {
      const known = this.seams.get(topic);
      if (known === undefined) return undefined;
      if (known > seam) seam = known;
    }
    return seam;
  }

  /** Records a head read sent after `subscriber` went live as the seam of its topics that have none. */
  recordSeam(subscriber: LocalSubscriber, seq: number): void {
    // While it is subscribed its topics stayed live since before the read; after, they may not have.
    if (subscriber.isClosed) return;
    for (const topic of subscriber.topics) if (!this.seams.has(topic)) this.seams.set(topic, seq);
  }

  /** Hands a live event to the subscribers of its topic. */
  dispatch(event: StoredEvent): void {
    const set = this.subscribers.get(event.topic);
    if (set) for (const subscriber of set) subscriber.deliver(event);
  }

  /** Hands a live signal to the subscribers of its topic. */
  signal(signal: LiveSignal): void {
    const set = this.subscribers.get(signal.topic);
    if (set) for (const subscriber of set) subscriber.signal(signal);
  }

  topics(): string[] {
    return [...this.subscribers.keys()];
  }

  all(): Set<LocalSubscriber> {
    const all = new Set<LocalSubscriber>();
    for (const set of this.subscribers.values()) for (const subscriber of set) all.add(subscriber);
    return all;
  }

  stats(): { topics: number; subscriptions: number } {
    return { topics: this.subscribers.size, subscriptions: this.all().size };
  }

  private listen(topic: string): Promise<void> {
    let ready = this.listening.get(topic);
    if (!ready) {
      const listening = this.backend.listen(topic);
      ready = listening;
      this.listening.set(topic, listening);
      listening.then(
        () => {
          if (this.listening.get(topic) === listening) this.live.add(topic);
        },
        () => {
          // A failed listen is retried by the next subscriber instead of being cached.
          if (this.listening.get(topic) === listening) this.listening.delete(topic);
        },
      );
    }
    return ready;
  }
}

const noop = (): void => {};
