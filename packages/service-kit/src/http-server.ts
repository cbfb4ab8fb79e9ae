import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody, type ErrorCode } from '@ssehub/protocol';
import { HTTP_STATUS } from './http-errors.js';
import type { LimitName } from './limits/limit-metrics.js';

function rawJsonError(socket: Socket, code: ErrorCode, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  const status = HTTP_STATUS[code];
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Options of {@link createHttpServer}; unset ones keep Node's defaults. */
export interface HttpServerOptions {
  /** Largest request line + headers; more is answered 431. */
  readonly maxHeaderBytes?: number;
  /** Seconds a client may take to send its headers; an idle new connection counts too. */
  readonly headersTimeoutS?: number;
  /** Seconds a client may take to send its whole request; a long response (a stream) is not limited. */
  readonly requestTimeoutS?: number;
  /** Called when a request is refused for its header size or for being too slow. */
  readonly onLimit?: (limit: LimitName) => void;
}

/** How often Node looks for requests past their timeouts; its default of 30 s lets a slowloris linger. */
const TIMEOUT_CHECK_MS = 1000;

function serverOptions(options: HttpServerOptions): ServerOptions {
  const result: ServerOptions = { connectionsCheckingInterval: TIMEOUT_CHECK_MS };
  if (options.maxHeaderBytes !== undefined) result.maxHeaderSize = options.maxHeaderBytes;
  if (options.requestTimeoutS !== undefined) result.requestTimeout = options.requestTimeoutS * 1000;
  if (options.headersTimeoutS !== undefined) {
    // Node requires headersTimeout <= requestTimeout.
    result.headersTimeout = Math.min(options.headersTimeoutS, options.requestTimeoutS ?? Infinity) * 1000;
  }
  return result;
}

/**
 * An HTTP server whose protocol-level errors (oversized headers, requests that arrive too slowly,
 * malformed requests) are answered with the same JSON error body as every other error, instead of
 * Node's bare status line.
 */
export function createHttpServer(listener: RequestListener, options: HttpServerOptions = {}): Server {
  const server = createServer(serverOptions(options), listener);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      options.onLimit?.('header_bytes');
      rawJsonError(socket, 'headers_too_large', 'request headers are too large');
    } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      options.onLimit?.('request_timeout');
      rawJsonError(socket, 'request_timeout', 'the request took too long to arrive');
    } else {
      rawJsonError(socket, 'bad_request', 'malformed HTTP request');
    }
  });
  return server;
}
