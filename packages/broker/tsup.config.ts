import { defineConfig } from 'tsup';

export default defineConfig({
  // Each backend is its own entry point, so an app that uses memory:// never loads ioredis or nats; the
  // conformance suite (`/testing`) is one too, so only its users load vitest.
  entry: {
    index: 'src/index.ts',
    memory: 'src/entry/memory.ts',
    redis: 'src/entry/redis.ts',
    nats: 'src/entry/nats.ts',
    testing: 'src/testing/index.ts',
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
