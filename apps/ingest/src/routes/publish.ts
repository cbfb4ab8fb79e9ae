import type { PublishInput } from '@ssehub/broker';
import { PublishBatchRequestSchema, PublishRequestSchema, SsehubError, type PublishRequest } from '@ssehub/protocol';
import { sendJson } from '@ssehub/service-kit';
import { Router, type RequestHandler } from 'express';
import type { RouteDeps } from '../app.js';
import { authenticate } from '../access.js';
import { methodNotAllowed } from '../error-handler.js';
import { jsonBody } from '../json-body.js';
import { readIdempotencyKey } from '../publisher.js';
import { parseBody, requireObject, validEventData } from '../validation.js';

function toInput(event: PublishRequest, field: readonly PropertyKey[]): PublishInput {
  return { topic: event.topic, type: event.type, data: validEventData(event.type, event.data, [...field, 'data']) };
}

/** `POST /v1/publish`: one event `{topic, type, data}` or a batch `{events: [...]}`, appended in order. */
export function createPublishRoutes(deps: RouteDeps): Router {
  const publish: RequestHandler = async (req, res) => {
    const idempotencyKey = readIdempotencyKey(req);
    const body = requireObject(req.body);
    if ('events' in body) {
      if (Array.isArray(body.events) && body.events.length > deps.maxBatchEvents) {
        deps.limitHits('batch_events');
        throw new SsehubError('invalid_event', `events: at most ${deps.maxBatchEvents} events per batch (got ${body.events.length})`);
      }
      const batch = parseBody(PublishBatchRequestSchema, body);
      const inputs = batch.events.map((event, index) => toInput(event, ['events', index]));
      const caller = deps.gate(req, res, inputs.map((input) => input.topic));
      sendJson(res, 201, { events: await deps.publish(inputs, caller, idempotencyKey) });
      return;
    }
    const event = parseBody(PublishRequestSchema, body);
    const caller = deps.gate(req, res, [event.topic]);
    const [ack] = await deps.publish([toInput(event, [])], caller, idempotencyKey);
    sendJson(res, 201, ack);
  };
  const router = Router();
  router.route('/v1/publish').post(authenticate(deps.access), jsonBody(deps.maxBodyBytes), publish).all(methodNotAllowed('POST'));
  return router;
}
