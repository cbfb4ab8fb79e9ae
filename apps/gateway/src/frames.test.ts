import { describe, expect, it } from 'vitest';
import { HEARTBEAT_FRAME, commentFrame, joinFrames, unframe } from './frames.js';

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
});
