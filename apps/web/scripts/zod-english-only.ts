import { dirname, join } from 'node:path';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

// zod's `z` namespace re-exports every locale (`z.locales.*`), and a namespace object cannot be
// tree-shaken, so ~40 translations would ship to every browser. The page only uses the English
// messages, so the locales index zod imports is replaced with one that exports `en` alone.
/** An esbuild plugin that bundles only zod's English error messages. */
export const zodEnglishOnly: EsbuildPlugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]zod[\\/]v4[\\/]/.test(args.importer)) return undefined;
      return { path: join(dirname(args.importer), '../locales'), namespace: 'zod-english-only' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: args.path,
      loader: 'js',
    }));
  },
};
