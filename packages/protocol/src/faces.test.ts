import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as chat from './chat.js';
import * as client from './client/index.js';
import * as protocol from './index.js';

// The public entries of @ssehub/protocol and the runtime names each exports. Gateway, ingest, web, the broker
// and third-party clients import these names: adding one is a decision, removing or renaming one breaks them.
const FACES = {
  '@ssehub/protocol': {
    module: protocol,
    names: [
      'AdminNodeSchema',
      'AdminNodesResponseSchema',
      'AdminTopicLoadSchema',
      'CONTROL_EVENT_PREFIX',
      'ERROR_CODES',
      'EVENT_DATA_SCHEMAS',
      'ErrorBodySchema',
      'ErrorCodeSchema',
      'EventDataSchema',
      'EventEnvelopeSchema',
      'EventTypeSchema',
      'HistoryResponseSchema',
      'LAG_PROBE_TOPIC',
      'MAX_BATCH_EVENTS',
      'MAX_CURSOR_LENGTH',
      'MAX_CURSOR_PARTITIONS',
      'MAX_HISTORY_LIMIT',
      'MAX_PARTITION_CURSOR_LENGTH',
      'MAX_TOPIC_PATTERNS',
      'MAX_TOPIC_SEGMENTS',
      'MAX_TOPIC_SEGMENT_LENGTH',
      'NODES_TOPIC',
      'PresenceChangeSchema',
      'PresenceMemberSchema',
      'PresenceResponseSchema',
      'PublishBatchRequestSchema',
      'PublishBatchResponseSchema',
      'PublishRequestSchema',
      'PublishResponseSchema',
      'PublishableEventTypeSchema',
      'PublishableTopicSchema',
      'RESERVED_TOPIC_SEGMENT',
      'READY_EVENT',
      'RECONNECT_EVENT',
      'RESET_EVENT',
      'ReadyPayloadSchema',
      'ReconnectPayloadSchema',
      'ResetPayloadSchema',
      'ResetReasonSchema',
      'SsehubClaimSchema',
      'SsehubError',
      'StoredEnvelopeSchema',
      'TopicPatternSchema',
      'TopicSchema',
      'compileTopicPatterns',
      'createSseParser',
      'cursorLengthLimit',
      'decodeAnyCursor',
      'decodeCursor',
      'decodePartitionCursor',
      'encodeCursor',
      'encodePartitionCursor',
      'errorBody',
      'formatSseComment',
      'formatSseFrame',
      'fnv1a32',
      'formatSseRetry',
      'isPublishableEventType',
      'isReservedTopic',
      'isValidEpoch',
      'isValidTopic',
      'isValidTopicPattern',
      'matchTopicPattern',
      'parseEventData',
      'partitionOf',
    ],
  },
  '@ssehub/protocol/client': {
    module: client,
    names: ['DEFAULT_RETRY_MS', 'createSsehubClient', 'subscribe'],
  },
  '@ssehub/protocol/chat': {
    module: chat,
    names: ['ChatMessageSchema', 'RoomMessageRequestSchema', 'RoomNameSchema', 'roomTopic'],
  },
} as const;

const srcDir = new URL('./', import.meta.url);
/** Every non-test module under src/, as a path relative to it (`client/client.ts`). */
const modules = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
  .map((name) => name.replaceAll('\\', '/'));
const source = (name: string): string => readFileSync(new URL(name, srcDir), 'utf8');

function importSpecifiers(text: string): string[] {
  const pattern = /\b(?:from|import|require)\s*\(?\s*['"]([^'"]+)['"]/g;
  return [...text.matchAll(pattern)].map((match) => match[1] ?? '');
}

describe.each(Object.entries(FACES))('the public surface of %s', (_entry, face) => {
  it('exports exactly the listed runtime names', () => {
    expect(Object.keys(face.module).sort()).toEqual([...face.names].sort());
  });

  it('exports nothing undefined', () => {
    for (const name of face.names) expect(face.module[name as keyof typeof face.module], name).toBeDefined();
  });
});

describe('the split between the entries', () => {
  it('gives no runtime name to two entries', () => {
    const all = Object.values(FACES).flatMap((face) => face.names);
    expect(all.length).toBe(new Set(all).size);
  });

  it.each(modules.filter((name) => !name.startsWith('client/')))('%s (wire format) imports nothing of the client', (name) => {
    for (const specifier of importSpecifiers(source(name))) expect(specifier, `${name} imports ${specifier}`).not.toMatch(/client\//);
  });
});

describe('browser safety', () => {
  it('finds the modules to check', () => {
    expect(modules).toEqual(expect.arrayContaining(['index.ts', 'chat.ts', 'client/index.ts', 'client/stream-leader.ts', 'cursor.ts']));
  });

  it.each(modules)('%s imports nothing from node:', (name) => {
    const text = source(name);
    expect(text).not.toMatch(/['"]node:/);
    const builtins = new Set(builtinModules);
    for (const specifier of importSpecifiers(text)) {
      expect(builtins.has(specifier), `${name} imports the Node builtin ${specifier}`).toBe(false);
      // Protocol depends on zod only; everything else is one of its own modules.
      expect(specifier, `${name} imports ${specifier}`).toMatch(/^(?:zod|\.\.?\/[a-z/-]+\.js)$/);
    }
  });

  it.each(modules)('%s uses no Node-only globals', (name) => {
    // Usages, not words: a comment may say "process" without touching Node.
    expect(source(name)).not.toMatch(/\b(?:process\.|Buffer\.|new Buffer\b|__dirname|__filename|setImmediate\(|require\()/);
  });
});
