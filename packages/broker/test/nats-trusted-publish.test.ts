import { startNats, type NatsServer } from '@ssehub/testkit';
import { describe, it } from 'vitest';
import { createNatsBroker } from '../src/nats.js';
import { useBackend } from './helpers/backend-fixture.js';
import { expectTrustedIdempotency, expectTrustedPublishesDelivered, expectTrustedValidation } from './helpers/trusted-publish.js';

describe('a trusted backend publishing straight through the broker over nats', () => {
  const nats = useBackend('trustedn', () => startNats(), (server: NatsServer, prefix) => createNatsBroker({ url: server.url, prefix }));

  it('publishes one event and batches with ingest’s answers, each delivered once, in order', async () => {
    await expectTrustedPublishesDelivered(await nats.open(), await nats.open());
  });

  it('refuses what ingest refuses, with the same codes and messages, publishing none of it', async () => {
    await expectTrustedValidation(await nats.open());
  });

  it('scopes idempotency keys as ingest does and answers a retry on another node with the original', async () => {
    await expectTrustedIdempotency(await nats.open(), await nats.open());
  });
});
