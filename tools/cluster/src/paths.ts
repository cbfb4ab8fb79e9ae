import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory up from here holding pnpm-workspace.yaml: src/*.ts, dist/main.js and the bench's bundle alike. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml')) && dirname(dir) !== dir) dir = dirname(dir);
  return `${dir}/`;
}

/** The repository root, where `.cluster/` and the built apps live. */
export const REPO_ROOT = findRepoRoot();

/** The nginx routing template shared with docker-compose. */
export const NGINX_TEMPLATE = join(REPO_ROOT, 'deploy/nginx/ssehub.conf.template');

/** Entry points of the apps a cluster runs (the same files the Docker image runs). */
export const APP_ENTRIES = {
  gateway: join(REPO_ROOT, 'apps/gateway/dist/main.js'),
  ingest: join(REPO_ROOT, 'apps/ingest/dist/main.js'),
  web: join(REPO_ROOT, 'apps/web/dist-node/main.js'),
} as const;

/** Where a cluster named `name` keeps its nginx config, logs and broker data. */
export function clusterDir(name: string): string {
  return join(REPO_ROOT, '.cluster', name);
}

/** Throws one line naming the build command when an app has not been built. */
export function requireBuiltApps(): void {
  for (const [app, entry] of Object.entries(APP_ENTRIES)) {
    if (!existsSync(entry)) throw new Error(`${app} is not built (${entry} is missing): run "pnpm turbo run build" first`);
  }
}
