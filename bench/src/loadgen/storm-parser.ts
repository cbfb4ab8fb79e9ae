import { READY_EVENT, RESET_EVENT } from '@ssehub/protocol';
import type { LatencyHistogram } from './latency-histogram.js';
import { StreamParser, type DeliveryStats } from './stream-parser.js';

/** What one EventSource-like stream remembers across its connections. */
export interface StormStreamState {
  /** The newest `id:` seen: sent as `Last-Event-ID` on the next connect, as EventSource does. */
  lastEventId: string | undefined;
  /** The last `retry:` the server sent, in ms: the wait before a reconnect. */
  retryMs: number;
  /** Highest `n` seen per topic: every event once and in order, across reconnects. */
  readonly lastByTopic: Map<string, number>;
  /** The node of the first `ssehub.ready`: the stream's home, kept across reconnects. */
  home: string | undefined;
  /** `ssehub.reset` frames received (a resume the server could not serve without a gap). */
  resets: number;
}

/** Counters over every stream of a load generator. */
export type StormCounters = Pick<DeliveryStats, 'received' | 'gaps' | 'duplicates'>;

/** Where a stream's latencies go: the histogram of its home node in the current phase. */
export type HistogramFor = (state: StormStreamState) => LatencyHistogram;

/**
 * Parses every field of each SSE frame, where {@link StreamParser} only scans for the bench payload:
 * `id:` (the resume cursor), `retry:`, `ssehub.ready` (which node serves the stream) and per-topic
 * sequence numbers, since a storm stream has two topics (its own and a shared one).
 */
export class StormParser extends StreamParser {
  private pending = '';
  /** Publish time (shared clock, ms) of the newest event this connection delivered. */
  newestPublishMs = 0;

  constructor(
    private readonly stream: StormStreamState,
    private readonly counters: StormCounters,
    private readonly histogramFor: HistogramFor,
  ) {
    super();
  }

  protected override frames(part: string, nowMs: number): void {
    const text = this.pending === '' ? part : this.pending + part;
    const end = text.lastIndexOf('\n\n');
    if (end < 0) {
      this.pending = text;
      return;
    }
    this.pending = end + 2 < text.length ? text.slice(end + 2) : '';
    for (const frame of text.slice(0, end).split('\n\n')) this.frame(frame, nowMs);
  }

  private frame(frame: string, nowMs: number): void {
    let id: string | undefined;
    let event = 'message';
    let data = '';
    for (const line of frame.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue; // comments (heartbeats) and empty lines
      const field = line.slice(0, colon);
      const value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data = data === '' ? value : `${data}\n${value}`;
      else if (field === 'retry' && /^\d+$/.test(value)) this.stream.retryMs = Number(value);
    }
    if (event === READY_EVENT) this.stream.home ??= (JSON.parse(data) as { node: string }).node;
    else if (event === RESET_EVENT) this.stream.resets++;
    if (id === undefined) return;
    this.stream.lastEventId = id;
    const envelope = JSON.parse(data) as { topic: string; data: { n: number; t: number } };
    this.count(envelope.topic, envelope.data.n, envelope.data.t, nowMs);
  }

  private count(topic: string, n: number, t: number, nowMs: number): void {
    const stats = this.counters;
    const last = this.stream.lastByTopic.get(topic) ?? 0;
    stats.received++;
    if (n <= last) stats.duplicates++;
    else {
      if (last !== 0 && n > last + 1) stats.gaps += n - last - 1;
      this.stream.lastByTopic.set(topic, n);
    }
    if (t > this.newestPublishMs) this.newestPublishMs = t;
    this.histogramFor(this.stream).record((nowMs - t) * 1000);
  }
}
