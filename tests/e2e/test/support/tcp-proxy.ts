import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A loopback TCP proxy a test can use to break connections the way a flaky network does. */
export interface TcpProxy {
  readonly port: number;
  /** Resets every open connection and refuses new ones until {@link TcpProxy.resume}. */
  cut(): void;
  /** Accepts and forwards connections again. */
  resume(): void;
  /**
   * Resets the next connection the moment its server starts answering, so the request was served but
   * the client never sees the answer (a publish that landed, then the network failed).
   */
  dropNextAnswer(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port that forwards to `127.0.0.1:<targetPort>`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  let answersToDrop = 0;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    if (refusing) return void client.resetAndDestroy();
    const upstream = connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (answersToDrop > 0) {
        answersToDrop -= 1;
        upstream.destroy();
        return void client.resetAndDestroy();
      }
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      refusing = true;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    resume() {
      refusing = false;
    },
    dropNextAnswer() {
      answersToDrop += 1;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
