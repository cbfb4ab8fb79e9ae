import { pino, type Logger } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** `gateway`, `ingest`, `web` or `standalone`. */
  readonly service: string;
  readonly node: string;
  readonly level: string;
}

/** A structured JSON logger (one line per event, on stdout). */
export function createLogger(options: LoggerOptions): Logger {
  return pino({ level: options.level, base: { service: options.service, node: options.node } });
}

export type { Logger };
