import { defineConfig } from 'tsup';

export default defineConfig({
  // Each child process (load generator, harness server, publisher) is its own entry.
  entry: ['src/main.ts', 'src/loadgen/loadgen-process.ts', 'src/loadgen/storm-loadgen-process.ts', 'src/harness/harness-process.ts', 'src/publisher/publisher-process.ts', 'src/yardsticks/yardstick-process.ts', 'src/simulate.ts', 'src/publisher/log-flood-process.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  // testkit ships TypeScript source; the bench runs on plain node, so bundle it.
  noExternal: ['@ssehub/testkit', '@ssehub/cluster'],
  // The express yardstick runs the real express from node_modules (a devDependency, not bundled).
  external: ['express'],
});
