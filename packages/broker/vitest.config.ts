import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // The package's own entries resolve to its sources, so tests import them by name, as users do, without a build.
  resolve: {
    alias: [
      { find: /^@ssehub\/broker$/, replacement: source('./src/index.ts') },
      { find: /^@ssehub\/broker\/testing$/, replacement: source('./src/testing/index.ts') },
      { find: /^@ssehub\/broker\/(memory|redis|nats)$/, replacement: source('./src/entry/$1.ts') },
    ],
  },
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
