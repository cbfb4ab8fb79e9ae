// The Node side of @ssehub/web: where the built page lives and a handler that serves it.
import { fileURLToPath } from 'node:url';

/** Absolute path of the built page (`apps/web/dist`), for {@link createStaticHandler}. */
export const WEB_ROOT = fileURLToPath(new URL('../dist', import.meta.url));

export { CONTENT_TYPES, IMMUTABLE_CACHE, createStaticHandler, type StaticHandler, type StaticHandlerOptions } from './static-handler.js';
export { loadWebConfig, type WebConfig } from './config.js';
