import { parsePublishBody } from '@ssehub/broker';
import { sendJson } from '@ssehub/service-kit';
import { Router, type RequestHandler } from 'express';
import type { RouteDeps } from './route-deps.js';
import { authenticate } from '../access.js';
import { methodNotAllowed } from '../error-handler.js';
import { jsonBody } from '../json-body.js';
import { readIdempotencyKey } from '../publisher.js';

/**
 * `POST /v1/publish`: one event `{topic, type, data}` or a batch `{events: [...]}`, appended in order.
 * Validation is the broker package's `parsePublishBody`, the one a trusted backend's `publishRequest` runs.
 */
export function createPublishRoutes(deps: RouteDeps): Router {
  const onBatchTooLarge = (): void => deps.limitHits('batch_events');
  const parseOptions = { maxBatchEvents: deps.maxBatchEvents, onBatchTooLarge };
  const publish: RequestHandler = async (req, res) => {
    const idempotencyKey = readIdempotencyKey(req);
    const { inputs, batch } = parsePublishBody(req.body, parseOptions);
    const caller = deps.gate(req, res, batch ? inputs.map((input) => input.topic) : [inputs[0]!.topic]);
    const acks = await deps.publish(inputs, caller, idempotencyKey);
    sendJson(res, 201, batch ? { events: acks } : acks[0]);
  };
  const router = Router();
  router.route('/v1/publish').post(authenticate(deps.access), jsonBody(deps.maxBodyBytes), publish).all(methodNotAllowed('POST'));
  return router;
}
