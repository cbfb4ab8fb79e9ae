import { describe, expect, it } from 'vitest';
import {
  HistoryResponseSchema,
  MAX_BATCH_EVENTS,
  PresenceResponseSchema,
  PublishBatchRequestSchema,
  PublishBatchResponseSchema,
  PublishRequestSchema,
  PublishResponseSchema,
  READY_EVENT,
  RECONNECT_EVENT,
  RESET_EVENT,
  ReadyPayloadSchema,
  ReconnectPayloadSchema,
  ResetPayloadSchema,
} from './api.js';
import { CONTROL_EVENT_PREFIX, PublishableEventTypeSchema } from './event.js';

const publish = { topic: 'rooms/lobby', type: 'chat.message', data: { text: 'hi', author: 'ann' } };

describe('publish requests', () => {
  it('accept a topic, a publishable type and any JSON data', () => {
    expect(PublishRequestSchema.parse(publish)).toEqual(publish);
    expect(PublishRequestSchema.parse({ ...publish, type: 'app.x', data: null }).data).toBeNull();
  });

  it.each([
    ['a bad topic', { ...publish, topic: 'rooms/*' }],
    ['a reserved type', { ...publish, type: RESET_EVENT }],
    ['a type with a line break', { ...publish, type: 'a\ndata: x' }],
    ['no data', { topic: publish.topic, type: publish.type }],
  ])('reject %s', (_name, body) => {
    expect(PublishRequestSchema.safeParse(body).success).toBe(false);
  });

  it(`batch 1-${MAX_BATCH_EVENTS} events`, () => {
    const events = (n: number) => Array.from({ length: n }, () => publish);
    expect(PublishBatchRequestSchema.safeParse({ events: events(1) }).success).toBe(true);
    expect(PublishBatchRequestSchema.safeParse({ events: events(MAX_BATCH_EVENTS) }).success).toBe(true);
    expect(PublishBatchRequestSchema.safeParse({ events: [] }).success).toBe(false);
    expect(PublishBatchRequestSchema.safeParse({ events: events(MAX_BATCH_EVENTS + 1) }).success).toBe(false);
    expect(PublishBatchRequestSchema.safeParse({ events: [publish, { ...publish, topic: '' }] }).success).toBe(false);
  });

  it('answers carry the id, topic and type', () => {
    const answer = { id: 'e1-1', topic: 'rooms/lobby', type: 'chat.message' };
    expect(PublishResponseSchema.parse(answer)).toEqual(answer);
    expect(PublishBatchResponseSchema.parse({ events: [answer, answer] }).events).toHaveLength(2);
    expect(PublishResponseSchema.safeParse({ ...answer, id: 1 }).success).toBe(false);
  });
});

describe('control events', () => {
  it('live in the reserved namespace, so no publisher can forge them', () => {
    for (const type of [READY_EVENT, RESET_EVENT, RECONNECT_EVENT]) {
      expect(type.startsWith(CONTROL_EVENT_PREFIX)).toBe(true);
      expect(PublishableEventTypeSchema.safeParse(type).success).toBe(false);
    }
  });

  it('have payload schemas', () => {
    const ready = { node: 'gw-1', topics: ['rooms/a'], resumed: false, cursor: 'e1-0' };
    expect(ReadyPayloadSchema.parse(ready)).toMatchObject({ node: 'gw-1', topics: ['rooms/a'], resumed: false });
    expect(ReadyPayloadSchema.safeParse({ ...ready, topics: ['rooms/*'] }).success).toBe(false);
    const reset = { reason: 'retention', lastEventId: 'e1-3', topics: ['rooms/a'] };
    expect(ResetPayloadSchema.parse(reset)).toEqual(reset);
    expect(ResetPayloadSchema.safeParse({ ...reset, reason: 'other' }).success).toBe(false);
    expect(ReconnectPayloadSchema.parse({ reason: 'draining', node: 'gw-1' }).node).toBe('gw-1');
    expect(ReconnectPayloadSchema.safeParse({ reason: 'bored', node: 'gw-1' }).success).toBe(false);
  });
});

describe('history and presence answers', () => {
  it('parse well-formed bodies', () => {
    const event = { id: 'e1-1', topic: 'rooms/a', type: 'x', data: 1, ts: 5 };
    expect(HistoryResponseSchema.parse({ topic: 'rooms/a', events: [event], truncated: true }).events).toEqual([event]);
    expect(HistoryResponseSchema.parse({ topic: 'rooms/a', events: [event], truncated: false, next: 'e1-1' }).next).toBe('e1-1');
    const members = [{ user: 'ann', connections: 2, nodes: ['gw-1', 'gw-2'] }];
    expect(PresenceResponseSchema.parse({ topic: 'rooms/a', members }).members).toEqual(members);
  });

  it('reject negative or fractional connection counts', () => {
    for (const connections of [-1, 1.5]) {
      const members = [{ user: 'ann', connections, nodes: [] }];
      expect(PresenceResponseSchema.safeParse({ topic: 'rooms/a', members }).success).toBe(false);
    }
  });
});
