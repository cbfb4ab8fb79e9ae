import { openSse, type SseTestClient } from '@ssehub/testkit';
import { afterEach } from 'vitest';


/**
 * Returns an opener of `GET /v1/events?<query>` streams on the gateway `baseUrl()` names; every stream
 * it opened is closed after each test. Call it after the hook that closes the gateway, so the streams
 * close first.
 */
export function useStreams(baseUrl: () => string): (query: string, headers?: Record<string, string>) => Promise<SseTestClient> {
  const clients: SseTestClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  return async (query, headers = {}) => {
    const client = await openSse(`${baseUrl()}/v1/events?${query}`, headers);
    clients.push(client);
    return client;
  };
}
