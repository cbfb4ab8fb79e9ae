import { BrokerError, type BrokerErrorCode } from '@ssehub/broker';
import { SsehubError } from '@ssehub/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAccessPolicy } from './auth/access-policy.js';
import { AUTH_ENV_SHAPE } from './auth/auth-env.js';
import type { JoseFunctions } from './auth/jwt-verifier.js';
import { parseEnv } from './config.js';
import { MethodNotAllowedError } from './route-errors.js';
import { toWireError } from './wire-error.js';

// No key is configured: the refusal comes from the policy itself, jose is never reached.
const UNREACHABLE_JOSE: JoseFunctions = {
  jwtVerify: () => Promise.reject(new Error('not reached')),
  createRemoteJWKSet: () => () => Promise.reject(new Error('not reached')),
};
// The defaults of an app with no auth variables set: no secret, nothing public.
const AUTH_CONFIG = parseEnv(z.object(AUTH_ENV_SHAPE), {});

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('toWireError', () => {
  it('answers a protocol error with its own code, status and message', () => {
    expect(toWireError(new SsehubError('invalid_topic', 'no such topic'))).toEqual({ status: 400, code: 'invalid_topic', message: 'no such topic' });
    expect(toWireError(new SsehubError('rate_limited', 'slow down'))).toEqual({ status: 429, code: 'rate_limited', message: 'slow down' });
  });

  it('answers a wrong method 405 with the methods the path answers in Allow', () => {
    expect(toWireError(new MethodNotAllowedError('POST', 'GET, HEAD'))).toEqual({
      status: 405,
      code: 'method_not_allowed',
      message: 'POST is not allowed here (allowed: GET, HEAD)',
      headers: { allow: 'GET, HEAD' },
    });
  });

  it('answers an auth refusal 401 with a Bearer challenge, a forbidden topic 403 without one', () => {
    const access = createAccessPolicy({ config: AUTH_CONFIG, jose: UNREACHABLE_JOSE });
    const unauthorized = toWireError(thrown(() => access.authorizeWrite(undefined, ['rooms/a'])));
    expect(unauthorized).toMatchObject({ status: 401, code: 'unauthorized', headers: { 'www-authenticate': 'Bearer realm="ssehub"' } });
    const forbidden = toWireError(new SsehubError('forbidden', 'not yours'));
    expect(forbidden).toEqual({ status: 403, code: 'forbidden', message: 'not yours' });
  });

  it('asks a client over its connection limit to retry after 5 s', () => {
    expect(toWireError(new SsehubError('too_many_connections', 'close one'))).toEqual({
      status: 429,
      code: 'too_many_connections',
      message: 'close one',
      headers: { 'retry-after': '5' },
    });
  });

  it.each<[BrokerErrorCode, number, string]>([
    ['invalid_cursor', 400, 'invalid_cursor'],
    ['idempotency_conflict', 409, 'idempotency_conflict'],
    ['unavailable', 503, 'unavailable'],
    ['closed', 503, 'unavailable'],
    ['epoch_changed', 503, 'unavailable'],
    ['slow_consumer', 503, 'unavailable'],
    ['invalid_url', 500, 'internal'],
    ['unsupported_backend', 500, 'internal'],
  ])('maps the broker error %s to %i %s', (brokerCode, status, code) => {
    expect(toWireError(new BrokerError(brokerCode, 'broker says no'))).toMatchObject({ status, code });
  });

  it("passes a client's own broker fault through with the broker's message, hides the others behind the route's", () => {
    const messages = { unavailable: 'not published', internal: 'publish failed' };
    expect(toWireError(new BrokerError('invalid_cursor', 'cursor from another log'), messages).message).toBe('cursor from another log');
    expect(toWireError(new BrokerError('closed', 'redis closed'), messages).message).toBe('not published');
    expect(toWireError(new BrokerError('invalid_url', 'bad url'), messages).message).toBe('publish failed');
    expect(toWireError(new BrokerError('unavailable', 'redis down')).message).toBe('the broker is unavailable; retry shortly');
  });

  it('answers anything unexpected 500 internal, never with its message', () => {
    expect(toWireError(new Error('secret detail'))).toEqual({ status: 500, code: 'internal', message: 'internal error' });
    expect(toWireError({ code: 'bad_request', message: 'duck' }, { internal: 'could not check' })).toEqual({
      status: 500,
      code: 'internal',
      message: 'could not check',
    });
    expect(toWireError(undefined).code).toBe('internal');
  });
});
