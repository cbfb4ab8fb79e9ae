import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as broker from '@ssehub/broker';
import * as memory from '@ssehub/broker/memory';
import * as nats from '@ssehub/broker/nats';
import * as redis from '@ssehub/broker/redis';
import * as testing from '@ssehub/broker/testing';
import { describe, expect, it } from 'vitest';

// The public entries of @ssehub/broker and the runtime names each exports. Apps, service-kit and backend
// authors import these names: adding one is a decision, removing or renaming one breaks them.
const FACES = {
  '@ssehub/broker': {
    module: broker,
    names: [
      'BrokerError',
      'MAX_HELD_LIVE_EVENTS',
      'appendEvents',
      'checkIdempotencyKey',
      'compareAndSet',
      'composeBroker',
      'createPartitionedBroker',
      'createBroker',
      'createMemoryBroker',
      'createPresenceTracker',
      'deferBroker',
      'parseBody',
      'parseBrokerUrl',
      'parsePublishBody',
      'publishRequest',
      'requireObject',
      'startRepeatingTask',
      'storedEnvelopeJson',
      'validEventData',
    ],
  },
  '@ssehub/broker/memory': { module: memory, names: ['createMemoryBroker'] },
  '@ssehub/broker/redis': { module: redis, names: ['createRedisBroker'] },
  '@ssehub/broker/nats': { module: nats, names: ['createNatsBroker'] },
  '@ssehub/broker/testing': { module: testing, names: ['describeBackendConformance', 'describeBrokerConformance', 'describePartitionConformance'] },
} as const;

/** Every name, types included, that the `export { … } from` lists of a source file give out. */
function exportedNames(file: string): string[] {
  const lists = [...readFileSync(file, 'utf8').matchAll(/export (?:type )?\{([^}]*)\} from/g)].map((match) => match[1] ?? '');
  return lists
    .flatMap((list) => list.split(','))
    .map((item) => item.trim().replace(/^type /, '').split(/\s+as\s+/).at(-1) ?? '')
    .filter((name) => name !== '');
}

describe.each(Object.entries(FACES))('the public surface of %s', (_entry, face) => {
  it('exports exactly the listed runtime names', () => {
    expect(Object.keys(face.module).sort()).toEqual([...face.names].sort());
  });

  it('exports nothing undefined', () => {
    for (const name of face.names) expect(face.module[name as keyof typeof face.module], name).toBeDefined();
  });
});

describe('names across @ssehub/protocol and @ssehub/broker', () => {
  it('mean one thing each: no public name, type or value, is given out by both packages', () => {
    const src = new URL('../src/', import.meta.url);
    const brokerFiles = ['index.ts', 'entry/memory.ts', 'entry/redis.ts', 'entry/nats.ts', 'testing/index.ts'];
    const brokerNames = new Set(brokerFiles.flatMap((file) => exportedNames(new URL(file, src).pathname)));
    // The workspace's protocol package, read from its sources (its entries are export lists too).
    const protocolRoot = dirname(createRequire(import.meta.url).resolve('@ssehub/protocol/package.json'));
    const protocolFiles = ['src/index.ts', 'src/client/index.ts', 'src/chat.ts'].map((file) => join(protocolRoot, file));
    const protocolNames = protocolFiles.flatMap((file) =>
      file.endsWith('chat.ts') ? [...readFileSync(file, 'utf8').matchAll(/export (?:const|function|type) (\w+)/g)].map((m) => m[1]!) : exportedNames(file),
    );
    expect(brokerNames.size).toBeGreaterThan(20);
    expect(protocolNames.length).toBeGreaterThan(60);
    expect(protocolNames.filter((name) => brokerNames.has(name))).toEqual([]);
  });
});

describe('the testing entry', () => {
  const src = new URL('../src/', import.meta.url);
  const runtime = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .map((name) => name.replaceAll('\\', '/'))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.startsWith('testing/'));

  it.each(runtime)('is not loaded by %s, so the other entries never load vitest', (name) => {
    const text = readFileSync(new URL(name, src), 'utf8');
    expect(text).not.toMatch(/from '(?:vitest|\.\.?\/(?:\.\.\/)*testing\/[^']*)'/);
  });

  it('needs vitest as an optional peer only', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(manifest['dependencies']?.['vitest']).toBeUndefined();
    expect(manifest['peerDependencies']?.['vitest']).toBeDefined();
    expect(manifest['peerDependenciesMeta']?.['vitest']).toEqual({ optional: true });
  });
});
