import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  // testkit ships TypeScript source (tests import it directly); the CLI runs on plain node, so bundle it.
  noExternal: ['@ssehub/testkit'],
});
