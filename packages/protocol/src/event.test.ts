import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTROL_EVENT_PREFIX,
  EVENT_DATA_SCHEMAS,
  EventDataSchema,
  EventEnvelopeSchema,
  EventTypeSchema,
  PresenceChangeSchema,
  PublishableEventTypeSchema,
  isPublishableEventType,
  parseEventData,
} from './event.js';

describe('event types', () => {
  it.each(['chat.message', 'presence.join', 'a', 'A_b-c.d', `x${'y'.repeat(63)}`, 'SSEHUB.custom', 'ssehub'])(
    'accepts %j from publishers',
    (type) => {
      expect(EventTypeSchema.safeParse(type).success).toBe(true);
      expect(PublishableEventTypeSchema.safeParse(type).success).toBe(true);
      expect(isPublishableEventType(type)).toBe(true);
    },
  );

  it.each([
    ['empty', ''],
    ['CR', 'chat\rmessage'],
    ['LF', 'chat\nmessage'],
    ['trailing LF', 'chat.message\n'],
    ['CRLF then a forged field', 'chat\r\ndata: x'],
    ['colon', 'chat:message'],
    ['space', 'chat message'],
    ['NUL', 'chat\0'],
    ['leading digit', '1chat'],
    ['leading dot', '.chat'],
    ['unicode', 'chät'],
    ['65 characters', `x${'y'.repeat(64)}`],
  ])('rejects %s', (_name, type) => {
    expect(EventTypeSchema.safeParse(type).success).toBe(false);
    expect(PublishableEventTypeSchema.safeParse(type).success).toBe(false);
    expect(isPublishableEventType(type)).toBe(false);
  });

  it.each(['ssehub.ready', 'ssehub.reset', 'ssehub.reconnect', 'ssehub.anything'])(
    'reserves %j for control events',
    (type) => {
      expect(type.startsWith(CONTROL_EVENT_PREFIX)).toBe(true);
      expect(EventTypeSchema.safeParse(type).success).toBe(true);
      const result = PublishableEventTypeSchema.safeParse(type);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/reserved/);
      expect(isPublishableEventType(type)).toBe(false);
    },
  );

  it('never accepts a type that could break the SSE event: line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 70 }), (type) => {
        if (EventTypeSchema.safeParse(type).success) expect(type).not.toMatch(/[\r\n\0: ]/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('presence data', () => {
  it('needs a user and allows a node', () => {
    expect(PresenceChangeSchema.parse({ user: 'ann', node: 'gw-1' })).toEqual({ user: 'ann', node: 'gw-1' });
    expect(PresenceChangeSchema.safeParse({ user: '' }).success).toBe(false);
    expect(PresenceChangeSchema.safeParse({ node: 'gw-1' }).success).toBe(false);
  });
});

describe('parseEventData', () => {
  it('validates types that have a schema', () => {
    const ok = parseEventData('chat.message', { text: ' hi ', author: 'ann' });
    expect(ok.success && ok.data).toEqual({ text: 'hi', author: 'ann' });
    expect(parseEventData('chat.message', { text: '   ', author: 'ann' }).success).toBe(false);
    expect(parseEventData('presence.join', { user: 'ann' }).success).toBe(true);
    expect(parseEventData('presence.leave', {}).success).toBe(false);
  });

  it('lets any JSON through for types without a schema, and never undefined', () => {
    for (const data of [null, 0, '', false, [], { nested: { deep: [1, 'x'] } }]) {
      const result = parseEventData('app.custom', data);
      expect(result.success && result.data).toEqual(data);
    }
    expect(parseEventData('app.custom', undefined).success).toBe(false);
    expect(EventDataSchema.safeParse(undefined).success).toBe(false);
  });

  // Regression: `constructor` is a valid event type and used to crash with "safeParse is not a function".
  it('does not treat Object.prototype names as registered types', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(EVENT_DATA_SCHEMAS[type]).toBeUndefined();
      const result = parseEventData(type, { any: 'thing' });
      expect(result.success && result.data).toEqual({ any: 'thing' });
    }
  });

  it('registers exactly the chat and presence schemas', () => {
    expect(Object.keys(EVENT_DATA_SCHEMAS).sort()).toEqual(['chat.message', 'presence.join', 'presence.leave']);
    expect(Object.isFrozen(EVENT_DATA_SCHEMAS)).toBe(true);
  });
});

describe('event envelope', () => {
  it('round-trips through JSON', () => {
    const envelope = { id: 'e1-7', topic: 'rooms/lobby', type: 'chat.message', data: { text: 'hi' }, ts: 1 };
    expect(EventEnvelopeSchema.parse(JSON.parse(JSON.stringify(envelope)))).toEqual(envelope);
  });

  it('rejects a bad topic, type or missing data', () => {
    const base = { id: 'e1-7', topic: 'rooms/lobby', type: 'chat.message', data: 1, ts: 1 };
    expect(EventEnvelopeSchema.safeParse({ ...base, topic: 'rooms.lobby' }).success).toBe(false);
    expect(EventEnvelopeSchema.safeParse({ ...base, type: 'a:b' }).success).toBe(false);
    expect(EventEnvelopeSchema.safeParse({ ...base, data: undefined }).success).toBe(false);
    expect(EventEnvelopeSchema.safeParse({ ...base, ts: '1' }).success).toBe(false);
  });
});
