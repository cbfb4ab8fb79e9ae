import type { LatencyHistogram } from './latency-histogram.js';

/** Counters one load generator keeps for all its connections. */
export interface DeliveryStats {
  received: number;
  /** Events a connection never got (a jump in its topic's `n`). */
  gaps: number;
  /** Events a connection got twice or out of order. */
  duplicates: number;
  readonly histogram: LatencyHistogram;
}

const enum State {
  Head,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Raw,
  Ended,
}

/**
 * Parses one SSE response incrementally and cheaply: the HTTP head, chunked transfer encoding, then
 * SSE frames split at blank lines. Only the bench payload is read from each frame's data
 * (`{"n":<per-topic number>,"t":<publish time, ms>,...}`, the same for ssehub and Nchan): `n` proves
 * nothing was lost or duplicated, `t` gives the publish-to-receive latency.
 */
export class StreamParser {
  status = 0;
  /** Highest `n` seen on this connection. */
  last = 0;
  private state = State.Head;
  private left = 0;
  private carry = '';
  private sseCarry = '';

  /** The response body ended (the last chunk arrived): EventSource reconnects then. */
  get ended(): boolean {
    return this.state === State.Ended;
  }

  /** Feeds one socket read; `nowMs` is the receive time on the publisher's clock. Returns true when the head just completed. */
  feed(chunk: Buffer, nowMs: number, stats: DeliveryStats): boolean {
    let text = chunk.toString('latin1');
    if (this.carry !== '') {
      text = this.carry + text;
      this.carry = '';
    }
    let pos = 0;
    let headDone = false;
    if (this.state === State.Head) {
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) {
        this.carry = text;
        return false;
      }
      this.status = Number(text.slice(9, 12));
      this.state = /\r\ntransfer-encoding:\s*chunked/i.test(text.slice(0, end)) ? State.ChunkSize : State.Raw;
      pos = end + 4;
      headDone = true;
    }
    while (pos < text.length) pos = this.step(text, pos, nowMs, stats);
    return headDone;
  }

  private step(text: string, pos: number, nowMs: number, stats: DeliveryStats): number {
    switch (this.state) {
      case State.Raw:
        this.frames(text.slice(pos), nowMs, stats);
        return text.length;
      case State.ChunkSize: {
        const eol = text.indexOf('\r\n', pos);
        if (eol < 0) {
          this.carry = text.slice(pos);
          return text.length;
        }
        this.left = parseInt(text.slice(pos, eol), 16);
        this.state = this.left === 0 ? State.Ended : State.ChunkData;
        return eol + 2;
      }
      case State.ChunkData: {
        const take = Math.min(this.left, text.length - pos);
        this.frames(take === text.length - pos && pos === 0 ? text : text.slice(pos, pos + take), nowMs, stats);
        this.left -= take;
        if (this.left === 0) {
          this.state = State.ChunkEnd;
          this.left = 2;
        }
        return pos + take;
      }
      case State.ChunkEnd: {
        const skip = Math.min(this.left, text.length - pos);
        this.left -= skip;
        if (this.left === 0) this.state = State.ChunkSize;
        return pos + skip;
      }
      default:
        return text.length;
    }
  }

  /** Complete frames end with a blank line; a partial last frame waits for the next read. */
  protected frames(part: string, nowMs: number, stats: DeliveryStats): void {
    const text = this.sseCarry === '' ? part : this.sseCarry + part;
    const end = text.lastIndexOf('\n\n');
    if (end < 0) {
      this.sseCarry = text;
      return;
    }
    this.sseCarry = end + 2 < text.length ? text.slice(end + 2) : '';
    let at = text.indexOf('"n":');
    while (at >= 0 && at < end) {
      let i = at + 4;
      let n = 0;
      for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) n = n * 10 + c - 48;
      // The payload is `{"n":N,"t":T,...}`: T starts 5 characters after N.
      const tEnd = text.indexOf(',', i + 5);
      this.record(n, Number(text.slice(i + 5, tEnd)), nowMs, stats);
      at = text.indexOf('"n":', tEnd);
    }
  }

  private record(n: number, t: number, nowMs: number, stats: DeliveryStats): void {
    stats.received++;
    if (n <= this.last) stats.duplicates++;
    else {
      if (this.last !== 0 && n > this.last + 1) stats.gaps += n - this.last - 1;
      this.last = n;
    }
    stats.histogram.record((nowMs - t) * 1000);
  }
}
