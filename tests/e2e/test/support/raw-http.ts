import { connect, type Socket } from 'node:net';

/** What came back on a raw socket. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The body as received (still chunk-encoded, if it was). */
  readonly body: string;
  /** Milliseconds from connecting until the server closed the socket (or the wait ended). */
  readonly closedAfterMs: number;
}

function parse(raw: string, closedAfterMs: number): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: end < 0 ? '' : raw.slice(end + 4), closedAfterMs };
}

/** Options of {@link rawRequest}. */
export interface RawRequestOptions {
  /** Stop waiting after this long (a stream never closes). @default 5000 */
  readonly timeoutMs?: number;
  /** Resolve as soon as the answer's head arrived, instead of waiting for the close. */
  readonly headOnly?: boolean;
}

/**
 * Sends bytes exactly as given (no URL normalisation, no header checks) and reads the answer. Then
 * closes the socket.
 */
export function rawRequest(port: number, request: string | Buffer, options: RawRequestOptions = {}): Promise<RawAnswer> {
  return drip(port, [request], 0, options);
}

/** Sends `parts` one after another, `intervalMs` apart, and reads the answer (slowloris). */
export function drip(port: number, parts: readonly (string | Buffer)[], intervalMs: number, options: RawRequestOptions = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let raw = '';
    let index = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      clearTimeout(deadline);
      socket.destroy();
      resolve(parse(raw, Date.now() - started));
    };
    const deadline = setTimeout(finish, options.timeoutMs ?? 5000);
    const next = (): void => {
      if (socket.destroyed || index >= parts.length) return;
      socket.write(parts[index++]!);
      timer = setTimeout(next, intervalMs);
    };
    socket.setEncoding('latin1');
    socket.on('connect', next);
    socket.on('data', (chunk: string) => {
      raw += chunk;
      if (options.headOnly && raw.includes('\r\n\r\n')) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
  });
}

/** The JSON error code of a raw answer, or undefined when the body is not an ssehub error. */
export function errorCode(answer: RawAnswer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
