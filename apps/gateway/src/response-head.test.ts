import { ServerResponse, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { responseHead } from './response-head.js';

const HEADERS = Object.freeze({ 'content-type': 'text/event-stream', connection: 'keep-alive' });
const response = (headers: Record<string, string> = {}): ServerResponse => {
  const res = new ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as IncomingMessage);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  return res;
};
const text = (head: Buffer): string[] => head.toString('latin1').split('\r\n');

describe('responseHead', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 3, 12, 0, 0, 500) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the stream headers, the framing and the date of this second', () => {
    expect(text(responseHead(response(), HEADERS, 'chunked'))).toEqual([
      'HTTP/1.1 200 OK',
      'content-type: text/event-stream',
      'connection: keep-alive',
      'transfer-encoding: chunked',
      'date: Thu, 03 Dec 2026 12:00:00 GMT',
      '',
      '',
    ]);
    vi.advanceTimersByTime(600);
    expect(text(responseHead(response(), HEADERS, 'chunked'))[4]).toBe('date: Thu, 03 Dec 2026 12:00:01 GMT');
  });

  it("adds the response's own headers after the stream's, and lets one that names the same header win in its place", () => {
    const own = text(responseHead(response({ 'x-request-id': 'r-1', vary: 'origin' }), HEADERS, 'chunked'));
    expect(own.slice(1, 6)).toEqual(['content-type: text/event-stream', 'connection: keep-alive', 'x-request-id: r-1', 'vary: origin', 'transfer-encoding: chunked']);
    const draining = text(responseHead(response({ 'x-request-id': 'r-2', connection: 'close' }), HEADERS, 'chunked'));
    expect(draining.slice(1, 5)).toEqual(['content-type: text/event-stream', 'connection: close', 'x-request-id: r-2', 'transfer-encoding: chunked']);
  });

  it('ends an HTTP/1.0 stream by closing the connection, with no other connection header', () => {
    const head = text(responseHead(response({ connection: 'keep-alive' }), HEADERS, 'close'));
    expect(head.filter((line) => line.startsWith('connection') || line.startsWith('transfer'))).toEqual(['connection: close']);
  });
});
