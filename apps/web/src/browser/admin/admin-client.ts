import {
  AdminNodesResponseSchema,
  ErrorBodySchema,
  HistoryResponseSchema,
  SsehubError,
  type AdminNode,
  type HistoryResponse,
} from '@ssehub/protocol';
import type { z } from 'zod';

/** The admin read API of the gateways, as the page uses it. */
export interface AdminClient {
  nodes(): Promise<AdminNode[]>;
  recent(topic: string, limit?: number): Promise<HistoryResponse>;
}

/** A client that sends `token()` as the bearer token of every request. */
export function createAdminClient(token: () => string): AdminClient {
  async function get<T>(schema: z.ZodType<T>, path: string): Promise<T> {
    const response = await fetch(path, { headers: { authorization: `Bearer ${token()}` }, cache: 'no-store' });
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok) return schema.parse(body);
    const error = ErrorBodySchema.safeParse(body);
    if (error.success) throw new SsehubError(error.data.error.code, error.data.error.message, response.status);
    throw new SsehubError('internal', `HTTP ${response.status} from ${path}`, response.status);
  }
  return {
    nodes: async () => (await get(AdminNodesResponseSchema, '/v1/admin/nodes')).nodes,
    recent: (topic, limit = 20) => get(HistoryResponseSchema, `/v1/admin/topics/${encodeURIComponent(topic)}/recent?limit=${limit}`),
  };
}
