import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as protocol from './index.js';

// The public surface of @ssehub/protocol. Gateway, ingest, web, the broker and third-party clients
// import these names: adding one is a decision, removing or renaming one breaks them.
const PUBLIC_RUNTIME_EXPORTS = [
  'AdminNodeSchema',
  'AdminNodesResponseSchema',
  'AdminTopicLoadSchema',
  'CONTROL_EVENT_PREFIX',
  'ChatMessageSchema',
  'DEFAULT_RETRY_MS',
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
  'MAX_HISTORY_LIMIT',
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
  'RoomMessageRequestSchema',
  'RoomNameSchema',
  'SsehubClaimSchema',
  'SsehubError',
  'StoredEnvelopeSchema',
  'TopicPatternSchema',
  'TopicSchema',
  'compileTopicPatterns',
  'createSseParser',
  'createSsehubClient',
  'decodeCursor',
  'encodeCursor',
  'errorBody',
  'formatSseComment',
  'formatSseFrame',
  'formatSseRetry',
  'isPublishableEventType',
  'isReservedTopic',
  'isValidEpoch',
  'isValidTopic',
  'isValidTopicPattern',
  'matchTopicPattern',
  'parseEventData',
  'roomTopic',
  'subscribe',
];

const srcDir = new URL('./', import.meta.url);
const modules = readdirSync(srcDir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));

function importSpecifiers(source: string): string[] {
  const pattern = /\b(?:from|import|require)\s*\(?\s*['"]([^'"]+)['"]/g;
  return [...source.matchAll(pattern)].map((match) => match[1] ?? '');
}

describe('public surface', () => {
  it('exports exactly the listed runtime names', () => {
    expect(Object.keys(protocol).sort()).toEqual([...PUBLIC_RUNTIME_EXPORTS].sort());
  });

  it('exports nothing undefined', () => {
    for (const name of PUBLIC_RUNTIME_EXPORTS) {
      expect(protocol[name as keyof typeof protocol], name).toBeDefined();
    }
  });
});

describe('browser safety', () => {
  it('finds the modules to check', () => {
    expect(modules).toEqual(expect.arrayContaining(['index.ts', 'sse-parser.ts', 'cursor.ts', 'topic.ts']));
  });

  it.each(modules)('%s imports nothing from node:', (name) => {
    const source = readFileSync(new URL(name, srcDir), 'utf8');
    expect(source).not.toMatch(/['"]node:/);
    const builtins = new Set(builtinModules);
    for (const specifier of importSpecifiers(source)) {
      expect(builtins.has(specifier), `${name} imports the Node builtin ${specifier}`).toBe(false);
      // Protocol depends on zod only; everything else is one of its own modules.
      expect(specifier, `${name} imports ${specifier}`).toMatch(/^(?:zod|\.\/[a-z-]+\.js)$/);
    }
  });

  it.each(modules)('%s uses no Node-only globals', (name) => {
    const source = readFileSync(new URL(name, srcDir), 'utf8');
    // Usages, not words: a comment may say "process" without touching Node.
    expect(source).not.toMatch(/\b(?:process\.|Buffer\.|new Buffer\b|__dirname|__filename|setImmediate\(|require\()/);
  });
});
