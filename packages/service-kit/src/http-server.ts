import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody, type ErrorCode } from '@ssehub/protocol';
import { HTTP_STATUS } from './http-errors.js';

function rawJsonError(socket: Socket, code: ErrorCode, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  const status = HTTP_STATUS[code];
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * An HTTP server whose protocol-level errors (oversized headers, malformed requests) are answered with
 * the same JSON error body as every other error, instead of Node's bare status line.
 */
export function createHttpServer(listener: RequestListener): Server {
  const server = createServer(listener);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    if (error.code === 'HPE_HEADER_OVERFLOW') rawJsonError(socket, 'headers_too_large', 'request headers are too large');
    else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') rawJsonError(socket, 'bad_request', 'the request took too long to arrive');
    else rawJsonError(socket, 'bad_request', 'malformed HTTP request');
  });
  return server;
}
