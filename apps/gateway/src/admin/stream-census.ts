import type { ServerResponse } from 'node:http';
import { isValidTopic } from '@ssehub/protocol';

/**
 * The topics of this node's open `/v1/events` requests, counted at the HTTP level (a refused request
 * counts for the moment it is open), so the census needs nothing from the stream code.
 */
export class StreamCensus {
  private readonly open = new Map<ServerResponse, readonly string[]>();

  /** Counts a stream request until its response closes. */
  track(res: ServerResponse, topics: readonly string[]): void {
    const valid = [...new Set(topics)].filter(isValidTopic);
    if (valid.length === 0) return;
    this.open.set(res, valid);
    res.once('close', () => this.open.delete(res));
  }

  /** Open streams by topic. */
  topics(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const topics of this.open.values()) for (const topic of topics) counts.set(topic, (counts.get(topic) ?? 0) + 1);
    return counts;
  }
}
