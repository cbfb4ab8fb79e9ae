import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { SsehubClient } from './client.js';
import type { EventEnvelope } from '../event.js';
import { SsehubError } from '../errors.js';
import { createEventDispatcher, type SubscriptionHandlers, type TypedEvent } from './typed-handlers.js';

const envelope = (type: string, data: unknown, seq = 1): EventEnvelope => ({ id: `e-${seq}`, topic: 'rooms/a', type, data, ts: 0 });

describe('typed event handlers', () => {
  it('hands registered types their parsed data and everything else to onEvent', () => {
    const seen: string[] = [];
    const dispatch = createEventDispatcher({
      on: { 'chat.message': (event) => seen.push(`${event.data.author}:${event.data.text}`) },
      onEvent: (event) => seen.push(`other ${event.type}`),
    });
    // The schema trims: the handler sees parsed data, not the wire value.
    dispatch(envelope('chat.message', { text: '  hi ', author: 'ada' }));
    dispatch(envelope('presence.join', { user: 'bob' }));
    expect(seen).toEqual(['ada:hi', 'other presence.join']);
  });

  it('validates with the subscriber\'s own schemas, which win over registered ones', () => {
    const counts: number[] = [];
    const invalid: string[] = [];
    const dispatch = createEventDispatcher({
      schemas: { 'app.count': z.object({ n: z.number().int() }) },
      on: { 'app.count': (event) => counts.push(event.data.n) },
      onInvalid: (event, error) => invalid.push(`${event.id} ${error.issues[0]?.path.join('.')}`),
    });
    dispatch(envelope('app.count', { n: 1 }, 1));
    dispatch(envelope('app.count', { n: 'two' }, 2));
    dispatch(envelope('app.count', { n: 3 }, 3));
    expect(counts).toEqual([1, 3]);
    expect(invalid).toEqual(['e-2 n']);
  });

  it('reports invalid data to onError as invalid_event when there is no onInvalid', () => {
    const errors: unknown[] = [];
    const dispatch = createEventDispatcher({ on: { 'chat.message': () => {} }, onError: (error) => errors.push(error) });
    dispatch(envelope('chat.message', { text: '' }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SsehubError);
    expect((errors[0] as SsehubError).code).toBe('invalid_event');
  });

  it('does not mistake prototype names such as constructor for handlers', () => {
    const other: string[] = [];
    const dispatch = createEventDispatcher({ on: {}, onEvent: (event) => other.push(event.type) });
    dispatch(envelope('constructor', {}));
    dispatch(envelope('toString', {}));
    expect(other).toEqual(['constructor', 'toString']);
  });

  it('reports a throwing handler and keeps dispatching', () => {
    const errors: unknown[] = [];
    const seen: number[] = [];
    const dispatch = createEventDispatcher({
      onEvent: (event) => {
        if (event.id === 'e-1') throw new Error('boom');
        seen.push(Number(event.id?.slice(2)));
      },
      onError: (error) => errors.push(error),
    });
    dispatch(envelope('x.y', {}, 1));
    dispatch(envelope('x.y', {}, 2));
    expect(seen).toEqual([2]);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it('types handlers from the registered and the subscriber\'s schemas', () => {
    const handlers = {
      schemas: { 'app.count': z.object({ n: z.number() }) },
      on: {
        'app.count': (event: TypedEvent<'app.count', { n: number }>) => event.data.n,
        'presence.leave': (event: TypedEvent<'presence.leave', { user: string; node?: string | undefined }>) => event.data.user,
      },
    } satisfies SubscriptionHandlers<{ 'app.count': z.ZodObject<{ n: z.ZodNumber }> }>;
    expectTypeOf(handlers.on['app.count']).parameter(0).toHaveProperty('data').toEqualTypeOf<{ n: number }>();
    // @ts-expect-error chat.message data has no `n`
    const wrong: SubscriptionHandlers = { on: { 'chat.message': (event) => event.data.n } };
    void wrong;
  });

  it('infers handler data from the schemas given to client.subscribe', () => {
    const typeCheckOnly = (client: SsehubClient): void => {
      client.subscribe(['rooms/a'], {
        schemas: { 'app.count': z.object({ n: z.number() }) },
        on: {
          'app.count': (event) => expectTypeOf(event.data).toEqualTypeOf<{ n: number }>(),
          'chat.message': (event) => expectTypeOf(event.data.text).toBeString(),
        },
      });
      // @ts-expect-error the object form needs onEvent
      client.subscribe({ topics: ['rooms/a'] });
    };
    void typeCheckOnly;
  });
});
