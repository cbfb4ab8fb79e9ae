import { SsehubError, parseEventData } from '@ssehub/protocol';
import type { z } from 'zod';

function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'body' : path.map(String).join('.');
}

/** Turns a zod failure into a 400 naming the field: `invalid_topic` when a topic is wrong, else `invalid_event`. */
export function invalidInput(error: z.ZodError, prefix: readonly PropertyKey[] = []): SsehubError {
  const topicIssue = error.issues.find((issue) => issue.path.at(-1) === 'topic');
  const issue = topicIssue ?? error.issues[0];
  const field = fieldName([...prefix, ...(issue?.path ?? [])]);
  return new SsehubError(topicIssue ? 'invalid_topic' : 'invalid_event', `${field}: ${issue?.message ?? 'invalid value'}`);
}

/** Parses a request body with `schema`, throwing a 400 that names the offending field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}

/** The body as an object, or a 400 when it is missing or not a JSON object. */
export function requireObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SsehubError('bad_request', 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Validates `data` with the schema registered for `type`; answers the parsed data. */
export function validEventData(type: string, data: unknown, field: readonly PropertyKey[]): unknown {
  const result = parseEventData(type, data);
  if (!result.success) throw invalidInput(result.error, field);
  return result.data;
}
