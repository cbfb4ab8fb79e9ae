import type { PublishInput, StoredEvent } from './broker.js';
import { BrokerError } from './errors.js';

// Data as every backend stores it: JSON, with a missing value kept as null.
const dataJson = (data: unknown): string => JSON.stringify(data ?? null);

function sameEvent(input: PublishInput, stored: StoredEvent): boolean {
  return input.topic === stored.topic && input.type === stored.type && dataJson(input.data) === dataJson(stored.data);
}

/** The error of a key reused for a different request. */
export function idempotencyConflict(): BrokerError {
  return new BrokerError('idempotency_conflict', 'the Idempotency-Key was already used for a different request');
}

/**
 * Refuses a publish whose idempotency key was already used for a different request. Every backend
 * answers a repeated key with the events it stored the first time; when those are not the events
 * asked for now, the key is being reused, not retried (as payment APIs answer, a 409 rather than
 * the first request's result).
 */
export function assertSameRequest(inputs: readonly PublishInput[], stored: readonly StoredEvent[]): void {
  if (inputs.length === stored.length && inputs.every((input, index) => sameEvent(input, stored[index]!))) return;
  throw idempotencyConflict();
}
