import type { LimitName } from './limit-metrics.js';

/** Options of {@link createConnectionLimiter}; 0 turns a limit off. */
export interface ConnectionLimiterOptions {
  readonly perUser: number;
  readonly perIp: number;
}

/** A held connection slot. */
export interface ConnectionSlot {
  /** Gives the slot back; calling it again does nothing. */
  release(): void;
}

/** Counts the open connections of each user and each client IP on this node. */
export interface ConnectionLimiter {
  /**
   * A slot, or the limit that refused it. Anonymous connections count per IP only. `ip` may be a
   * function, called only while a per-IP limit is on (reading the peer address is a system call).
   */
  acquire(ip: string | (() => string), user: string | undefined): ConnectionSlot | LimitName;
  /** Open connections counted for `key` (`ip:<addr>` or `user:<sub>`); only limits that are on count. */
  count(key: string): number;
}

/** Creates the per-node connection counter of the gateway. */
export function createConnectionLimiter(options: ConnectionLimiterOptions): ConnectionLimiter {
  const counts = new Map<string, number>();
  const count = (key: string): number => counts.get(key) ?? 0;
  const change = (key: string, by: number): void => {
    const next = count(key) + by;
    if (next === 0) counts.delete(key);
    else counts.set(key, next);
  };
  return {
    acquire(ip, user) {
      const ipKey = options.perIp > 0 ? `ip:${typeof ip === 'string' ? ip : ip()}` : undefined;
      const userKey = user !== undefined && options.perUser > 0 ? `user:${user}` : undefined;
      if (ipKey !== undefined && count(ipKey) >= options.perIp) return 'connections_per_ip';
      if (userKey !== undefined && count(userKey) >= options.perUser) return 'connections_per_user';
      if (ipKey === undefined && userKey === undefined) return UNCOUNTED;
      if (ipKey !== undefined) change(ipKey, 1);
      if (userKey !== undefined) change(userKey, 1);
      return new HeldSlot(change, ipKey, userKey);
    },
    count,
  };
}

/** The slot of a connection no limit counts: one for all of them. */
const UNCOUNTED: ConnectionSlot = Object.freeze({ release() {} });

/** A slot as three fields and a shared method: a stream holds one for its whole life. */
class HeldSlot implements ConnectionSlot {
  private held = true;

  constructor(
    private readonly change: (key: string, by: number) => void,
    private readonly ipKey: string | undefined,
    private readonly userKey: string | undefined,
  ) {}

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.ipKey !== undefined) this.change(this.ipKey, -1);
    if (this.userKey !== undefined) this.change(this.userKey, -1);
  }
}
