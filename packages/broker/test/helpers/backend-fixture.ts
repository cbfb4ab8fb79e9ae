import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Broker } from '../../src/broker.js';
import { uniquePrefix } from '../../src/testing/unique-prefix.js';

/** A server of one backend for a describe block, and the brokers each test opens on it under a prefix of its own. */
export interface BackendFixture<S, O> {
  /** The server, started before the block's first test and stopped after its last. */
  readonly server: S;
  /** The running test's prefix. */
  readonly prefix: string;
  /** Opens a broker on the server under the running test's prefix; it closes after the test. */
  open(options?: O): Promise<Broker>;
}

/**
 * Registers the hooks of a {@link BackendFixture}: start the server, close each test's brokers and renew the
 * prefix, stop the server. Hooks the block registers later run before its `afterAll` (vitest runs "after" hooks as a stack).
 */
export function useBackend<S extends { stop(): Promise<void> }, O>(
  tag: string,
  start: () => Promise<S>,
  create: (server: S, prefix: string, options?: O) => Promise<Broker>,
): BackendFixture<S, O> {
  let server: S | undefined;
  const opened: Broker[] = [];
  let prefix = uniquePrefix(tag);
  beforeAll(async () => {
    server = await start();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((broker) => broker.close()));
    prefix = uniquePrefix(tag);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const started = (): S => {
    if (!server) throw new Error('the backend server starts in beforeAll');
    return server;
  };
  return {
    get server() {
      return started();
    },
    get prefix() {
      return prefix;
    },
    async open(options) {
      const broker = await create(started(), prefix, options);
      opened.push(broker);
      return broker;
    },
  };
}
