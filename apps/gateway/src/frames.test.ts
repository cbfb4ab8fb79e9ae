import { describe, expect, it } from 'vitest';
import { HEARTBEAT_FRAME, commentFrame, eventFrame, joinFrames, readyFrame, unframe } from './frames.js';

describe('wire frames', () => {
  it('are one HTTP/1.1 chunk each, so any number joined is still a chunked body', () => {
    const frame = commentFrame('hello');
    expect(frame.toString()).toBe('9\r\n: hello\n\n\r\n');
    expect(unframe(frame).toString()).toBe(': hello\n\n');
  });

  it('joins the same queued frames once for every subscriber of a topic', () => {
    const a = commentFrame('a');
    const b = commentFrame('b');
    const first = joinFrames([a, b], a.length + b.length);
    expect(first.toString()).toBe(`${a.toString()}${b.toString()}`);
    expect(joinFrames([a, b], a.length + b.length)).toBe(first);
    const other = joinFrames([a, HEARTBEAT_FRAME], a.length + HEARTBEAT_FRAME.length);
    expect(other).not.toBe(first);
    expect(other.toString()).toBe(`${a.toString()}${HEARTBEAT_FRAME.toString()}`);
  });

  it('frame a stored event with its id and a live-only signal without one', () => {
    const stored = unframe(eventFrame({ id: 'e-1', seq: 1, topic: 'rooms/a', type: 'chat.message', data: { text: 'hi' }, ts: 5 })).toString();
    expect(stored).toBe('id: e-1\nevent: chat.message\ndata: {"id":"e-1","topic":"rooms/a","type":"chat.message","data":{"text":"hi"},"ts":5}\n\n');
    const signal = unframe(eventFrame({ topic: 'rooms/a', type: 'presence.join', data: { user: 'ana' }, ts: 6 })).toString();
    expect(signal).toBe('event: presence.join\ndata: {"topic":"rooms/a","type":"presence.join","data":{"user":"ana"},"ts":6}\n\n');
  });

  it('reuses the ready frame of the same payload and makes a new one when any field differs', () => {
    const payload = { node: 'n1', topics: ['rooms/a'], resumed: false, cursor: 'c-1' };
    const first = readyFrame(payload);
    expect(unframe(first).toString()).toBe(`event: ssehub.ready\ndata: ${JSON.stringify(payload)}\n\n`);
    expect(readyFrame({ ...payload, topics: ['rooms/a'] })).toBe(first);
    for (const other of [{ cursor: 'c-2' }, { topics: ['rooms/b'] }, { topics: ['rooms/a', 'rooms/b'] }, { resumed: true }, { node: 'n2' }, { resumedTopics: ['rooms/a'] }]) {
      const changed = { ...payload, ...other };
      expect(unframe(readyFrame(changed)).toString()).toBe(`event: ssehub.ready\ndata: ${JSON.stringify(changed)}\n\n`);
    }
  });
});
