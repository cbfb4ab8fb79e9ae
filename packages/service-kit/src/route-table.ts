import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from './http-errors.js';
import type { Logger } from './logger.js';
import type { RequestEdge } from './request-edge.js';
import { MethodNotAllowedError } from './route-errors.js';
import { toWireError, type WireErrorMessages } from './wire-error.js';

/** What a route's handler is given besides the request: the URL and the raw (still percent-encoded) path parameters. */
export interface RouteMatch {
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
}

/** One route: method(s) + path pattern → handler. */
export interface Route {
  /** The methods it answers (others get 405 with `Allow`), or `any` for a route that checks them itself. */
  readonly methods: readonly string[] | 'any';
  /** `/v1/events`; `:name` matches one non-empty segment, `*name` the rest of the path, `/` and empty included. */
  readonly path: string;
  /** Whether the app's CORS applies. @default true */
  readonly cors?: boolean;
  /** The route's own 503/500 messages for what its handler throws. */
  readonly errors?: WireErrorMessages;
  /** Answers the request; what it throws (or rejects with) is answered through `toWireError`. */
  readonly handle: (req: IncomingMessage, res: ServerResponse, match: RouteMatch) => void | Promise<void>;
}

/** Options of {@link createRouteTable}. */
export interface RouteTableOptions {
  readonly routes: readonly Route[];
  /** Logs internal errors of the handlers. */
  readonly logger: Logger;
  /** Request id, access line and CORS for every matched request; a nested table leaves it out. */
  readonly edge?: RequestEdge;
}

/** A set of routes answered as one. */
export interface RouteTable {
  /** Answers the request by the route of its path; false when no route has that path (the caller answers). */
  serve(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How loosely {@link compilePath} matches; the defaults route the path exactly as sent. */
export interface CompilePathOptions {
  /** @default true */
  readonly caseSensitive?: boolean;
  /** Whether one trailing `/` may follow (express's default). @default false */
  readonly trailingSlash?: boolean;
}

/** The pattern as an anchored regular expression with one named group per parameter. */
export function compilePath(pattern: string, options: CompilePathOptions = {}): RegExp {
  const parts = pattern.split(/([:*][A-Za-z_][A-Za-z0-9_]*)/);
  const source = parts.map((part, index) => {
    if (index % 2 === 0) return escapeRegExp(part);
    return part.startsWith(':') ? `(?<${part.slice(1)}>[^/]+)` : `(?<${part.slice(1)}>.*)`;
  });
  const end = options.trailingSlash === true ? '/?$' : '$';
  return new RegExp(`^${source.join('')}${end}`, options.caseSensitive === false ? 'i' : '');
}

/** The raw path parameters of `pathname` under `pattern`, or undefined when it does not match. */
export function matchPath(pattern: string | RegExp, pathname: string): Record<string, string> | undefined {
  const match = (typeof pattern === 'string' ? compilePath(pattern) : pattern).exec(pathname);
  return match === null ? undefined : { ...match.groups };
}

/**
 * Builds a route table. The first route whose path matches answers: the edge (unless the route opts
 * out of CORS), then 405 with `Allow` for another method, then the handler, whose errors become
 * JSON through `toWireError` (internal ones logged).
 */
export function createRouteTable(options: RouteTableOptions): RouteTable {
  const { logger, edge } = options;
  const compiled = options.routes.map((route) => ({ route, regexp: compilePath(route.path) }));

  function fail(res: ServerResponse, route: Route, error: unknown): void {
    if (res.headersSent || res.destroyed) return;
    const wire = toWireError(error, route.errors);
    if (wire.code === 'internal') logger.error({ err: error, route: route.path }, 'request failed');
    sendError(res, wire.code, wire.message, wire.headers);
  }

  return {
    serve(req, res, url) {
      for (const { route, regexp } of compiled) {
        const params = matchPath(regexp, url.pathname);
        if (params === undefined) continue;
        if (edge?.(req, res, { cors: route.cors ?? true })) return true;
        if (route.methods !== 'any' && !route.methods.includes(req.method ?? '')) {
          fail(res, route, new MethodNotAllowedError(req.method, route.methods.join(', ')));
          return true;
        }
        try {
          const answered = route.handle(req, res, { url, params });
          if (answered instanceof Promise) answered.catch((error: unknown) => fail(res, route, error));
        } catch (error) {
          fail(res, route, error);
        }
        return true;
      }
      return false;
    },
  };
}
