import { createServer, type Server } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { MAX_BODY_BYTES, TopicStreams, errorJson, readPublish } from './topic-streams.js';

const sendError = (res: express.Response, status: number, code: string, message: string): void =>
  void res.status(status).type('application/json').send(errorJson(code, message));

// body-parser's errors carry the status to answer with (400 bad JSON, 413 too large, 415 ...).
const onError: ErrorRequestHandler = (error: { status?: number; type?: string; message?: string }, _req, res, _next) => {
  const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  sendError(res, status, status === 500 ? 'internal' : 'bad_request', error.message ?? 'failed');
};

/**
 * The same work as the bare yardstick as a minimal express 5 app, with express's defaults
 * (`express.json()`, `res.json()` with its ETag): what the framework alone adds per request.
 */
export function createExpressYardstick(): Server {
  const streams = new TopicStreams();
  const app = express();
  app.get('/v1/events', (req, res) => {
    const topic = req.query.topic;
    if (typeof topic !== 'string' || topic === '') return sendError(res, 400, 'invalid_topic', 'topic is required');
    streams.open(topic, res);
  });
  app.post('/v1/publish', express.json({ limit: MAX_BODY_BYTES }), (req, res) => {
    const event = readPublish(req.body);
    if (event === undefined) return sendError(res, 400, 'invalid_event', 'expected {"topic", "type", "data"}');
    res.status(201).json(streams.publish(event));
  });
  app.use((req, res) => sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`));
  app.use(onError);
  return createServer(app);
}
