import { existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  // Each backend is its own entry point, so an app that uses memory:// never loads ioredis or nats.
  entry: ['src/index.ts', 'src/memory.ts', 'src/redis.ts', 'src/nats.ts'].filter((entry) => existsSync(entry)),
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
