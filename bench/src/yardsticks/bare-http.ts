import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, TopicStreams, errorJson, readPublish } from './topic-streams.js';

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage, res: ServerResponse, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.once('end', () => {
    if (bytes > MAX_BODY_BYTES) answer(res, 413, errorJson('payload_too_large', `the body is over ${MAX_BODY_BYTES} bytes`));
    else done(Buffer.concat(chunks, bytes).toString('utf8'));
  });
}

function publish(streams: TopicStreams, text: string, res: ServerResponse): void {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return answer(res, 400, errorJson('bad_request', 'the body is not JSON'));
  }
  const event = readPublish(body);
  if (event === undefined) return answer(res, 400, errorJson('invalid_event', 'expected {"topic", "type", "data"}'));
  answer(res, 201, JSON.stringify(streams.publish(event)));
}

/**
 * The floor for a notification on Node: bare `node:http`, parse the JSON body, route by topic,
 * write one frame per stream, answer 201. `GET /v1/events?topic=` streams like the gateway.
 */
export function createBareYardstick(): Server {
  const streams = new TopicStreams();
  return createServer((req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (req.method === 'GET' && path === '/v1/events') {
      const topic = new URLSearchParams(url.slice(query + 1)).get('topic');
      if (query < 0 || !topic) return answer(res, 400, errorJson('invalid_topic', 'topic is required'));
      return streams.open(topic, res);
    }
    if (req.method === 'POST' && path === '/v1/publish') return readBody(req, res, (text) => publish(streams, text, res));
    answer(res, 404, errorJson('not_found', `no route for ${req.method} ${path}`));
  });
}
