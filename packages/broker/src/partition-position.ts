import type { PartitionLog, ResumeCheck } from './broker.js';

/**
 * Positions per millisecond of a log's creation time. A partition's positions are numbered from its
 * epoch's creation (`created ms × 1024 + seq`), so a log recreated later starts above every position
 * the lost one gave out (unless it averaged over a million events a second), and the partitions of one
 * deployment, created together, have positions close to each other: a token stores them as short
 * differences.
 */
export const POSITIONS_PER_MS = 1024;

/**
 * Turns one partition's `(epoch, seq)` into the position a resume token holds, and back. The epoch of
 * a log changes rarely, so the last one's origin is kept.
 */
export class PartitionPositions {
  private epoch = '';
  private origin = 0;

  constructor(private readonly log: PartitionLog) {}

  /** The token position of `seq` in the log's epoch `epoch`. */
  positionOf(epoch: string, seq: number): number {
    return this.originOf(epoch) + seq;
  }

  /** The token position of a stored event of this log (its id is `<epoch>-<seq>`). */
  positionOfEvent(id: string, seq: number): number {
    if (this.epoch === '' || !id.startsWith(this.epoch) || id.charCodeAt(this.epoch.length) !== 0x2d) {
      return this.positionOf(id.slice(0, id.lastIndexOf('-')), seq);
    }
    return this.origin + seq;
  }

  /**
   * Where a token position resumes in the log as it is now: the seq after which catch-up reads, or
   * undefined when the position is not one of the current epoch's (below its origin: an older epoch;
   * beyond its head: a log this one never was).
   */
  resumeAt(position: number): ResumeCheck {
    return (head) => {
      const seq = position - this.originOf(head.epoch);
      return seq >= 0 && seq <= head.seq ? seq : undefined;
    };
  }

  private originOf(epoch: string): number {
    if (epoch !== this.epoch) {
      this.origin = this.log.originOf(epoch) * POSITIONS_PER_MS;
      this.epoch = epoch;
    }
    return this.origin;
  }
}
