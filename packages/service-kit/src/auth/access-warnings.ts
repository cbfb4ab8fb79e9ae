import type { Logger } from 'pino';
import type { AuthConfig } from './auth-env.js';

/** Options of {@link logAccessWarnings}. */
export interface AccessWarningOptions {
  /** True for an app that takes publishes (ingest, standalone): it warns about anonymous publishing. */
  readonly publishes: boolean;
}

/** Logs one warning line per setting that leaves topics open, so an operator sees it at start. */
export function logAccessWarnings(
  logger: Logger,
  config: Pick<AuthConfig, 'JWT_SECRET' | 'JWKS_URL' | 'PUBLIC_TOPICS' | 'ANONYMOUS_PUBLISH_TOPICS'>,
  options: AccessWarningOptions,
): void {
  if (options.publishes && config.ANONYMOUS_PUBLISH_TOPICS.length > 0) {
    const topics = config.ANONYMOUS_PUBLISH_TOPICS.join(', ');
    logger.warn(
      { ANONYMOUS_PUBLISH_TOPICS: topics },
      `anonymous publishing is ON for ${topics}: anyone can post there under any name (set ANONYMOUS_PUBLISH_TOPICS= to turn it off)`,
    );
  }
  if (config.JWT_SECRET === undefined && config.JWKS_URL === undefined) {
    const open = config.PUBLIC_TOPICS.length > 0 ? `only ${config.PUBLIC_TOPICS.join(', ')} can be read` : 'nothing can be read';
    logger.warn(`no JWT_SECRET or JWKS_URL: every token is refused, ${open}`);
  }
}
