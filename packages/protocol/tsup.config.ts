import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per face: the wire format, the typed client, the chat demo's schemas.
  entry: { index: 'src/index.ts', client: 'src/client/index.ts', chat: 'src/chat.ts' },
  format: ['esm', 'cjs'],
  // Shared chunks in both formats, so `SsehubError` is one class whichever entry threw it.
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
});
