import { connect, type NatsConnection } from '@nats-io/transport-node';
import { parseNatsUrl } from './nats-url.js';

/** Wait between connection attempts, in ms. @default 1000 */
export const NATS_RECONNECT_WAIT_MS = 1000;
/** Client pings the server this often, in ms, so a silently dead link is noticed. @default 10000 */
export const NATS_PING_INTERVAL_MS = 10_000;

/** A NATS connection that retries forever and knows whether it is up right now. */
export interface NatsLink {
  readonly nc: NatsConnection;
  /** False between a disconnect and the next successful reconnect. */
  isConnected(): boolean;
}

/** What the link reports while it runs. */
export interface NatsLinkEvents {
  /** One line per failed connection attempt. */
  readonly onRetry?: (message: string) => void;
  /** Connected again after an outage. */
  readonly onReconnect?: () => void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function connectForever(url: string, onRetry?: (message: string) => void): Promise<NatsConnection> {
  const { servers, user, pass, token } = parseNatsUrl(url);
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect({
        servers,
        user,
        pass,
        token,
        name: 'ssehub',
        maxReconnectAttempts: -1,
        reconnectTimeWait: NATS_RECONNECT_WAIT_MS,
        pingInterval: NATS_PING_INTERVAL_MS,
        maxPingOut: 2,
      });
    } catch (error) {
      onRetry?.(`nats: cannot connect to ${servers.join(',')} (attempt ${attempt}): ${describe(error)}`);
      await new Promise((resolve) => setTimeout(resolve, NATS_RECONNECT_WAIT_MS));
    }
  }
}

/** Connects to the servers of a `nats://` URL, retrying forever, and follows the connection's state. */
export async function connectNats(url: string, events: NatsLinkEvents = {}): Promise<NatsLink> {
  const nc = await connectForever(url, events.onRetry);
  let connected = true;
  let attempts = 0;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        attempts = 0;
        events.onRetry?.(`nats: lost the connection to ${status.server}, reconnecting`);
      } else if (status.type === 'reconnecting') {
        // Fired before every dial, so from the second one on it means the previous dial failed.
        if (++attempts > 1) events.onRetry?.(`nats: reconnect attempt ${attempts - 1} failed, retrying`);
      } else if (status.type === 'reconnect') {
        connected = true;
        events.onReconnect?.();
      }
    }
  })();
  return { nc, isConnected: () => connected && !nc.isClosed() };
}
