import type { Server } from 'node:http';
import { createBroker, deferBroker, type Broker, type BrokerUrl } from '@ssehub/broker';
import type { Logger } from 'pino';
import { ConfigError } from './config.js';
import { closeConnectionsAfterResponse } from './keep-alive.js';

/** Loads config; a {@link ConfigError} prints its one line to stderr and exits 1 (no stack trace). */
export function loadConfigOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`ssehub ${service}: ${error.message}\n`);
    process.exit(1);
  }
}

/** The configuration variables {@link connectBroker} needs. */
export interface BrokerConfig {
  readonly BROKER_URL: BrokerUrl;
  readonly BROKER_PREFIX: string;
  readonly HISTORY_MAX_PER_TOPIC: number;
  readonly HISTORY_MAX_AGE_S: number;
}

/**
 * The broker `BROKER_URL` names, returned at once: it connects in the background, logging one line per
 * failed attempt, and answers `unavailable` until then, so the app can start and report not-ready.
 */
export function connectBroker(config: BrokerConfig, logger: Logger): Broker {
  const { kind } = config.BROKER_URL;
  const connecting = createBroker(config.BROKER_URL, {
    prefix: config.BROKER_PREFIX,
    historyMaxPerTopic: config.HISTORY_MAX_PER_TOPIC,
    historyMaxAgeS: config.HISTORY_MAX_AGE_S,
    onRetry: (line) => logger.warn(line),
  });
  connecting.then(
    () => logger.info({ broker: kind }, 'broker connected'),
    (error: unknown) => {
      // Backends retry unreachable servers forever; what rejects is permanent (a bad prefix, a
      // missing client module), so staying up never-ready would only hide it.
      logger.fatal({ err: error }, 'broker could not be created');
      process.stderr.write(`ssehub: BROKER_URL: ${error instanceof Error ? error.message : String(error)}\n`);
      logger.flush(() => process.exit(1));
    },
  );
  return deferBroker(kind, connecting);
}

/** Options of {@link stopOnSignals}. */
export interface StopOnSignalsOptions {
  readonly server: Server;
  readonly logger: Logger;
  /** Seconds to wait for open connections before closing them anyway. */
  readonly deadlineS: number;
  /** Runs first: refuse new work, ask streaming clients to reconnect elsewhere. */
  readonly drain?: () => void;
  /** Runs once the server closed: release the broker and timers. */
  readonly release: () => Promise<void>;
}

/** Where an app listens: `PORT`, and `HOST` (unset: every interface). */
export interface ListenAddress {
  readonly PORT: number;
  readonly HOST?: string | undefined;
}

// Every-interface addresses are not where a browser goes; localhost is.
const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]']);

/** The URL to print for a listening app: `http://localhost:PORT` unless HOST names one address. */
export function listenUrl(address: ListenAddress): string {
  const host = address.HOST === undefined || ANY_ADDRESS.has(address.HOST) ? 'localhost' : address.HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.PORT}`;
}

/**
 * Listens on the configured address and calls back with its {@link listenUrl}; a failure to listen
 * (port taken, no such address) prints one line and exits 1.
 */
export function listenOrExit(server: Server, address: ListenAddress, service: string, onListening: (url: string) => void): void {
  const where = address.HOST === undefined ? `port ${address.PORT}` : `${address.HOST} port ${address.PORT}`;
  server.once('error', (error) => {
    process.stderr.write(`ssehub ${service}: cannot listen on ${where}: ${error.message}\n`);
    process.exit(1);
  });
  const listening = (): void => onListening(listenUrl(address));
  if (address.HOST === undefined) server.listen(address.PORT, listening);
  else server.listen(address.PORT, address.HOST, listening);
}

/**
 * On SIGTERM/SIGINT: drain, stop accepting, let in-flight requests finish on connections that then
 * close (up to the deadline), release, exit 0. Call before the server takes requests.
 */
export function stopOnSignals(options: StopOnSignalsOptions): void {
  const closeAfterResponse = closeConnectionsAfterResponse(options.server);
  let stopping = false;
  async function stop(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    options.logger.info({ signal }, 'stopping: no new connections, open ones are asked to finish');
    closeAfterResponse();
    options.drain?.();
    const closed = new Promise<void>((resolve) => options.server.close(() => resolve()));
    options.server.closeIdleConnections();
    const deadline = setTimeout(() => options.server.closeAllConnections(), options.deadlineS * 1000);
    await closed;
    clearTimeout(deadline);
    await options.release();
    options.logger.info('stopped');
    options.logger.flush(() => process.exit(0));
  }
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
