import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ErrorBodySchema, ErrorCodeSchema, SsehubError, errorBody } from './errors.js';

describe('errors', () => {
  it('have a closed set of unique codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(ErrorCodeSchema.parse(code)).toBe(code);
    expect(ErrorCodeSchema.safeParse('teapot').success).toBe(false);
  });

  it('build bodies that the body schema accepts', () => {
    const body = errorBody('invalid_topic', 'bad topic');
    expect(body).toEqual({ error: { code: 'invalid_topic', message: 'bad topic' } });
    expect(ErrorBodySchema.parse(JSON.parse(JSON.stringify(body)))).toEqual(body);
    expect(ErrorBodySchema.safeParse({ error: { code: 'nope', message: 'x' } }).success).toBe(false);
    expect(ErrorBodySchema.safeParse({ error: 'x' }).success).toBe(false);
  });

  it('carry code, status and cause', () => {
    const cause = new Error('socket closed');
    const error = new SsehubError('unavailable', 'broker down', 503, { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SsehubError');
    expect(error.code).toBe('unavailable');
    expect(error.status).toBe(503);
    expect(error.message).toBe('broker down');
    expect(error.cause).toBe(cause);
    expect(new SsehubError('internal', 'x').status).toBeUndefined();
  });
});
