import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Suites here start real processes and ports; run files one after another on 2 cores.
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false },
});
