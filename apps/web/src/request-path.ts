import { posix } from 'node:path';

/** The file a GET for `/` or a directory serves. @default 'index.html' */
export const INDEX_FILE = 'index.html';

/**
 * Turns a request target (`/a/b.css?x=1`) into a path relative to the web root (`a/b.css`), or
 * `null` when it could name something outside the root or is not a clean path at all.
 */
export function toRootRelativePath(target: string): string | null {
  const pathname = target.split('?', 1)[0] ?? '';
  if (!pathname.startsWith('/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  // Refuse rather than repair: NUL truncates paths in some APIs, `\` is a separator on Windows, and
  // a `..` segment (even one normalize would clamp at `/`) only ever comes from someone probing.
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').some((segment) => segment === '..')) return null;
  const relative = posix.normalize(decoded).replace(/^\/+/, '');
  // Dotfiles (.env, .git) are never part of a build; answering them would only leak.
  if (relative.split('/').some((segment) => segment.startsWith('.'))) return null;
  return relative === '' || relative.endsWith('/') ? `${relative}${INDEX_FILE}` : relative;
}
