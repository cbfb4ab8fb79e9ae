import { SsehubError } from '@ssehub/protocol';

/** A known path called with a method it does not answer: 405, with the methods it does in `Allow`. */
export class MethodNotAllowedError extends SsehubError {
  constructor(
    method: string | undefined,
    /** The `Allow` header: the methods the path answers, e.g. `GET, HEAD`. */
    readonly allow: string,
  ) {
    super('method_not_allowed', `${String(method)} is not allowed here (allowed: ${allow})`);
  }
}

/** A path no route answers: 404 `not_found`, naming the method and (at most 200 characters of) the path. */
export function notFoundError(method: string | undefined, path: string): SsehubError {
  return new SsehubError('not_found', `no route for ${String(method)} ${path.slice(0, 200)}`);
}
