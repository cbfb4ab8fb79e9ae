import { PublishRequestSchema, SsehubError, parseEventData } from '@ssehub/protocol';
import { describe, expect, it } from 'vitest';
import { parsePublishBody } from './publish-request.js';

// The hand check of a valid event must accept exactly what the schema accepts: these sit on every edge.
const topics = ['rooms/a', 'a', `${'a'.repeat(64)}`, `${'a'.repeat(65)}`, 'a/b/c/d/e/f/g/h', 'a/b/c/d/e/f/g/h/i', '_ssehub', '_ssehub/x', 'x/_ssehub', 'a//b', '/a', 'a/', 'a.b', 'a*', '', 7, null, undefined];
const types = ['x', 'chat.message', 'A_b-c.d', `x${'y'.repeat(63)}`, `x${'y'.repeat(64)}`, 'ssehub.reset', 'ssehub', 'SSEHUB.x', '1x', 'a b', 'a:b', '', 3, undefined];
const datas = [null, 0, 'text', { n: 1 }, [1, 2], false, undefined];

function outcome(body: unknown): unknown {
  try {
    return { ok: parsePublishBody(body).inputs[0] };
  } catch (error) {
    if (error instanceof SsehubError) return { code: error.code, message: error.message };
    throw error;
  }
}

describe('parsePublishBody', () => {
  it('accepts exactly the events the request and data schemas accept', () => {
    for (const topic of topics) {
      for (const type of types) {
        for (const data of datas) {
          const body = { topic, type, data };
          // What ingest did before: the request schema, then the data schema of the type.
          const schema = PublishRequestSchema.safeParse(body);
          const eventData = schema.success ? parseEventData(schema.data.type, schema.data.data) : undefined;
          const result = outcome(body) as { ok?: unknown; code?: string };
          expect(result.ok !== undefined, JSON.stringify(body)).toBe(eventData?.success === true);
          if (eventData?.success) expect(result.ok).toEqual({ topic, type, data: eventData.data });
        }
      }
    }
  });

  it('validates the data of a registered type and drops fields the schema does not know', () => {
    expect(outcome({ topic: 'rooms/a', type: 'chat.message', data: { text: ' hi ', author: 'ann', extra: 1 }, more: 2 })).toEqual({
      ok: { topic: 'rooms/a', type: 'chat.message', data: { text: 'hi', author: 'ann' } },
    });
    expect(outcome({ topic: 'rooms/a', type: 'chat.message', data: { text: '' } })).toMatchObject({ code: 'invalid_event', message: expect.stringMatching(/^data\.text: /) });
  });

  it('refuses a body that is not an object, and a batch over the limit after counting it', () => {
    let counted = 0;
    expect(outcome([{ topic: 'a', type: 'x', data: 1 }])).toEqual({ code: 'bad_request', message: 'the body must be a JSON object' });
    expect(() => parsePublishBody({ events: [1, 2, 3] }, { maxBatchEvents: 2, onBatchTooLarge: () => counted++ })).toThrow('events: at most 2 events per batch (got 3)');
    expect(counted).toBe(1);
  });
});
