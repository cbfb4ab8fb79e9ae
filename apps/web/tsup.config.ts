import { defineConfig } from 'tsup';
import { finishBrowserBuild } from './scripts/finish-browser-build.js';
import { zodEnglishOnly } from './scripts/zod-english-only.js';

export default defineConfig([
  {
    // The pages (chat, admin): one minified ESM bundle each with zod and the protocol client inside, plus public/.
    entry: { app: 'src/browser/app.ts', admin: 'src/browser/admin/admin-app.ts' },
    outDir: 'dist',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    minify: true,
    // Self-contained pages: no shared chunk whose name a page would have to know.
    splitting: false,
    sourcemap: true,
    clean: true,
    noExternal: [/.*/],
    esbuildPlugins: [zodEnglishOnly],
    esbuildOptions(options) {
      options.entryNames = '[name]-[hash]';
    },
    onSuccess: () => finishBrowserBuild({ publicDir: 'public', outDir: 'dist' }),
  },
  {
    // The Node side: the static handler for other apps, and the `web` service.
    entry: ['src/index.ts', 'src/main.ts'],
    outDir: 'dist-node',
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: { entry: 'src/index.ts' },
    sourcemap: true,
    clean: true,
  },
]);
