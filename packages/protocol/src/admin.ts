import { z } from 'zod';
import { TopicSchema } from './topic.js';

/** The reserved topic under which every gateway registers itself in the presence store. */
export const NODES_TOPIC = '_ssehub/nodes';
/** The reserved topic gateways send their broker-lag probes on. */
export const LAG_PROBE_TOPIC = '_ssehub/lag';

/** Open streams of one topic on one node. */
export const AdminTopicLoadSchema = z.object({
  topic: TopicSchema,
  connections: z.number().int().nonnegative(),
});
export type AdminTopicLoad = z.infer<typeof AdminTopicLoadSchema>;

/** One gateway node as it last reported itself. */
export const AdminNodeSchema = z.object({
  node: z.string(),
  /** Gateway processes serving under this node id (`WORKERS`). */
  workers: z.number().int().positive(),
  connections: z.number().int().nonnegative(),
  /** The busiest topics of the node, most connections first (at most 100). */
  topics: z.array(AdminTopicLoadSchema),
  /** Topics with an open stream on the node (a lower bound when the node runs several workers). */
  topicCount: z.number().int().nonnegative(),
  /** How far its live feed trailed the log at the last probe, in seconds; null before the first. */
  brokerLagSeconds: z.number().nonnegative().nullable(),
  startedAt: z.number(),
  updatedAt: z.number(),
  /** When the node counts as gone unless it reports again (ms since the Unix epoch). */
  expiresAt: z.number(),
});
export type AdminNode = z.infer<typeof AdminNodeSchema>;

/** Answer of `GET /v1/admin/nodes`: every live gateway, by node id. */
export const AdminNodesResponseSchema = z.object({
  nodes: z.array(AdminNodeSchema),
});
export type AdminNodesResponse = z.infer<typeof AdminNodesResponseSchema>;
