import { startRepeatingTask, type Broker, type BrokerSubscription, type StoredEvent } from '@ssehub/broker';
import { LAG_PROBE_TOPIC } from '@ssehub/protocol';
import type { Logger } from '@ssehub/service-kit';
import { Gauge, type Registry } from 'prom-client';

/** Options of {@link createLagMonitor}. */
export interface LagMonitorOptions {
  readonly broker: Broker;
  readonly registry: Registry;
  readonly nodeId: string;
  /** Seconds between probes; 0 turns the monitor off. */
  readonly intervalS: number;
  readonly logger: Logger;
}

/** Samples how far this node's live feed trails the log. */
export interface LagMonitor {
  /** The last measured lag in seconds, or the age of a probe still on its way when that is larger. */
  lagSeconds(): number | null;
  close(): void;
}

/** The event type of a probe. @default "lag.probe" */
export const LAG_PROBE_TYPE = 'lag.probe';

/**
 * Broker lag, sampled on a timer rather than per event: every interval the node appends a probe to
 * the log and times how long its own live feed takes to bring it back (from the probe's log
 * timestamp). A feed that stalls shows as a lag that keeps growing, because an unanswered probe
 * counts with its age. One small event per node per interval; clients never subscribe to the topic.
 */
export function createLagMonitor(options: LagMonitorOptions): LagMonitor {
  const { broker, nodeId, logger } = options;
  let lastLag: number | null = null;
  let outstanding: { probe: number; sentAt: number } | undefined;
  let probes = 0;
  let subscription: BrokerSubscription | undefined;
  let closed = false;

  const lagSeconds = (): number | null => {
    const waiting = outstanding ? (Date.now() - outstanding.sentAt) / 1000 : 0;
    return lastLag === null && !outstanding ? null : Math.max(lastLag ?? 0, waiting);
  };

  new Gauge({
    name: 'ssehub_gateway_broker_lag_seconds',
    help: "How far this node's live feed trails the log: time from a probe's append to its live delivery here",
    registers: [options.registry],
    collect() {
      this.set(lagSeconds() ?? 0);
    },
  });

  function onEvent(event: StoredEvent): void {
    const data = event.data as { node?: unknown; probe?: unknown } | null;
    if (event.type !== LAG_PROBE_TYPE || data?.node !== nodeId || data.probe !== outstanding?.probe) return;
    lastLag = Math.max(0, Date.now() - event.ts) / 1000;
    outstanding = undefined;
  }

  async function probe(): Promise<void> {
    subscription ??= await broker.subscribe(
      { topics: [LAG_PROBE_TOPIC] },
      { onEvent, onError: () => (subscription = undefined) },
    );
    if (closed) return subscription.close();
    // A probe that never came back keeps counting; a new one is sent only once it has.
    if (outstanding) return;
    const next = { probe: ++probes, sentAt: Date.now() };
    outstanding = next;
    await broker.publish([{ topic: LAG_PROBE_TOPIC, type: LAG_PROBE_TYPE, data: { node: nodeId, probe: next.probe } }]).catch((error: unknown) => {
      if (outstanding === next) outstanding = undefined;
      throw error;
    });
  }

  const timer =
    options.intervalS > 0
      ? startRepeatingTask(probe, options.intervalS * 1000, (error) => logger.debug({ err: error }, 'broker lag probe failed'))
      : undefined;

  return {
    lagSeconds,
    close() {
      closed = true;
      timer?.stop();
      subscription?.close();
    },
  };
}
