// `node ../../scripts/require-build.mjs dist/main.js`: an app's start script runs this first, so starting
// an app that was never built says what to do in one line instead of a MODULE_NOT_FOUND stack.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';

const missing = process.argv.slice(2).filter((file) => !existsSync(file));
if (missing.length > 0) {
  const app = basename(process.cwd());
  process.stderr.write(`ssehub ${app}: ${missing.join(', ')} is not built yet: run "pnpm build" (or "pnpm turbo run start --filter=@ssehub/${app}", which builds first)\n`);
  process.exit(1);
}
