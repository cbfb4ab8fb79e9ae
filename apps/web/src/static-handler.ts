import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { toRootRelativePath } from './request-path.js';

/** Options of {@link createStaticHandler}. */
export interface StaticHandlerOptions {
  /** Directory to serve, e.g. `WEB_ROOT`; read once, when the handler is created. */
  root: string;
}

/** Answers a request from the web root and returns true, or returns false (and writes nothing). */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Content-Type by file extension; files of other types are not served. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
});

/** Cache-Control of files whose name carries a content hash (`app-1A2B3C4D.js`). */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
const HASHED_NAME = /-[A-Za-z0-9]{8}\.[a-z]+(?:\.map)?$/;

// The page talks only to its own origin; nothing inline, so no 'unsafe-*' is needed.
const HTML_HEADERS = Object.freeze({
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
});

interface StaticFile {
  readonly body: Buffer;
  readonly gzipped: Buffer | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Serves a built web root over node:http. GET and HEAD only; paths are decoded, refused when they
 * could leave the root, and looked up in the set of files found at creation, so nothing outside
 * the root (or added later) can ever be answered.
 */
export function createStaticHandler(options: StaticHandlerOptions): StaticHandler {
  const files = loadFiles(resolve(options.root));
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = toRootRelativePath(req.url ?? '/');
    const file = path === null ? undefined : files.get(path);
    if (!file) return false;
    send(req, res, file);
    return true;
  };
}

function send(req: IncomingMessage, res: ServerResponse, file: StaticFile): void {
  if (req.headers['if-none-match'] === file.headers.etag) {
    res.writeHead(304, { etag: file.headers.etag, 'cache-control': file.headers['cache-control'] });
    res.end();
    return;
  }
  const gzip = file.gzipped !== undefined && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  const body = gzip && file.gzipped ? file.gzipped : file.body;
  res.writeHead(200, {
    ...file.headers,
    'content-length': body.length,
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function loadFiles(root: string): Map<string, StaticFile> {
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`web root ${root} does not exist: run "pnpm --filter @ssehub/web build"`);
  }
  const files = new Map<string, StaticFile>();
  for (const relative of listFiles(root, '')) {
    const type = CONTENT_TYPES[extname(relative)];
    if (type) files.set(relative, prepare(relative, type, readFileSync(join(root, relative))));
  }
  return files;
}

// Regular files only: a symlink in the build could point anywhere, so it is not followed.
function listFiles(root: string, prefix: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...listFiles(root, relative));
    else if (entry.isFile()) found.push(relative);
  }
  return found;
}

function prepare(relative: string, type: string, body: Buffer): StaticFile {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const html = type.startsWith('text/html');
  const compressible = /^(?:text\/|application\/(?:json|manifest)|image\/svg)/.test(type) && body.length > 1024;
  const packed = compressible ? gzipSync(body) : undefined;
  const gzipped = packed && packed.length < body.length ? packed : undefined;
  const headers: Record<string, string> = {
    'content-type': type,
    'cache-control': !html && HASHED_NAME.test(relative) ? IMMUTABLE_CACHE : 'no-cache',
    etag,
    'x-content-type-options': 'nosniff',
    ...(gzipped ? { vary: 'accept-encoding' } : {}),
    ...(html ? HTML_HEADERS : {}),
  };
  return { body, gzipped, headers };
}
