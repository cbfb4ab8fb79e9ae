// Every shell command the READMEs show, and what runs it. readme-commands.test.ts fails when a README
// gains a command this table does not name, when the table names one no README shows, or when the test
// file named for a command does not hold it verbatim.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './standalone.js';

/** The READMEs whose ```sh blocks are under test. */
export const DOCUMENTS = ['README.md', 'deploy/k8s/README.md', 'deploy/grafana/README.md'] as const;

/** How one command is covered. */
export type Coverage =
  /** A test file in tests/e2e/test runs it as written (addresses and ports swapped for the test's own). */
  | { readonly test: string }
  /** `.ci/run`, the CI entry point, runs it: as written, or as `as` (the same script through the pinned pnpm). */
  | { readonly ci: '.ci/run'; readonly as?: string }
  /** Needs a container engine or a Kubernetes cluster; the README marks it so. */
  | { readonly needs: 'docker' | 'kubernetes'; readonly reason: string }
  /** Not run by any test, with the reason. */
  | { readonly notRun: string };

const TEST = (test: string): Coverage => ({ test });
const KUBERNETES: Coverage = { needs: 'kubernetes', reason: 'needs a Kubernetes cluster; the manifests are checked by k8s-manifests.test.ts' };

/** Command (comments and `\` line continuations removed) → what covers it. */
export const README_COMMANDS: Readonly<Record<string, Coverage>> = {
  // README.md, Quick start
  'npx -y pnpm@12.4.2 install && npx -y pnpm@12.4.2 start': TEST('readme-commands.test.ts'),
  'npx -y pnpm@12.4.2 install --frozen-lockfile && npx -y pnpm@12.4.2 test': { ci: '.ci/run' },
  'BROKER_URL=redis://127.0.0.1:6379 npx -y pnpm@12.4.2 start': TEST('readme-commands.test.ts'),
  // README.md, HTTP API
  "curl -N 'http://localhost:8080/v1/events?topic=rooms/lobby&topic=rooms/orders'": TEST('readme-commands.test.ts'),
  "curl -X POST localhost:8080/v1/publish -H 'content-type: application/json' -H 'Idempotency-Key: order-1234-shipped' -d '{\"topic\":\"rooms/orders\",\"type\":\"order.shipped\",\"data\":{\"order\":1234}}'":
    TEST('readme-commands.test.ts'),
  "curl -X POST localhost:8080/v1/publish -H 'content-type: application/json' -d '{\"events\":[{\"topic\":\"rooms/a\",\"type\":\"x.y\",\"data\":1},{\"topic\":\"rooms/b\",\"type\":\"x.y\",\"data\":2}]}'":
    TEST('readme-commands.test.ts'),
  "curl -X POST localhost:8080/v1/rooms/lobby/messages -H 'content-type: application/json' -d '{\"text\":\"hello\",\"author\":\"ana\"}'":
    TEST('readme-commands.test.ts'),
  "curl 'localhost:8080/v1/topics/rooms/lobby/history?limit=50'": TEST('readme-commands.test.ts'),
  // README.md, Running a cluster
  'docker compose up --build': TEST('containers-compose.test.ts'),
  'BROKER_URL=nats://nats:4222 docker compose up --build': TEST('containers-compose.test.ts'),
  'PORT=9000 docker compose up --build': TEST('containers-compose.test.ts'),
  'pnpm cluster': TEST('readme-commands.test.ts'),
  'pnpm cluster --broker nats --gateways 3': TEST('readme-commands.test.ts'),
  'pnpm cluster --broker nats-cluster': TEST('readme-commands.test.ts'),
  'pnpm cluster --broker redis-cluster --partitions 8': TEST('readme-commands.test.ts'),
  'PORT=9000 pnpm cluster': TEST('readme-commands.test.ts'),
  'ADMIN_TOKEN=$(openssl rand -hex 16) pnpm cluster': TEST('readme-commands.test.ts'),
  // README.md, Development
  'npx -y pnpm@12.4.2 install': TEST('readme-commands.test.ts'),
  'pnpm build': TEST('readme-commands.test.ts'),
  'pnpm test': { ci: '.ci/run', as: 'npx -y pnpm@12.4.2 test' },
  'pnpm typecheck': TEST('readme-commands.test.ts'),
  'pnpm --filter @ssehub/broker test': {
    notRun: 'the same turbo task `pnpm test` (run by .ci/run) runs for every package; running it twice would only double the broker suite',
  },
  'pnpm changeset': { notRun: 'interactive: it asks which packages changed and writes a file under .changeset/ for a release' },
  // deploy/k8s/README.md
  'docker build --target gateway -t <registry>/ssehub/gateway:0.1.0 .': TEST('containers-compose.test.ts'),
  'cd deploy/k8s && kustomize edit set image ssehub/gateway=<registry>/ssehub/gateway:0.1.0 ...': KUBERNETES,
  'kubectl apply -f namespace.yaml': KUBERNETES,
  'kubectl -n ssehub create secret generic ssehub-jwt --from-literal=JWT_SECRET="$(openssl rand -base64 48)"': KUBERNETES,
  'kubectl apply -k .': KUBERNETES,
  'kubectl kustomize deploy/k8s-gateway-api': TEST('k8s-manifests.test.ts'),
  'kubectl apply -k deploy/k8s-gateway-api': KUBERNETES,
  'helm repo add nats https://nats-io.github.io/k8s/helm/charts/': KUBERNETES,
  'helm install nats nats/nats -n ssehub --set config.cluster.enabled=true --set config.cluster.replicas=3 --set config.jetstream.enabled=true --set config.jetstream.fileStore.pvc.size=10Gi':
    KUBERNETES,
};

/** One command as a README shows it: where, and the command line with comments and continuations removed. */
export interface DocumentedCommand {
  readonly document: string;
  readonly command: string;
}

/** Every command in the ```sh blocks of {@link DOCUMENTS}, in order. */
export function documentedCommands(): DocumentedCommand[] {
  const commands: DocumentedCommand[] = [];
  for (const document of DOCUMENTS) {
    const text = readFileSync(join(REPO_ROOT, document), 'utf8');
    for (const block of text.matchAll(/^\s*```sh\n([\s\S]*?)^\s*```/gm)) {
      for (const command of commandsOf(block[1]!)) commands.push({ document, command });
    }
  }
  return commands;
}

/** The commands of one block: `\` continuations joined, comment lines and trailing ` # comments` dropped. */
export function commandsOf(block: string): string[] {
  const joined = block.replace(/\\\n\s*/g, '');
  return joined
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}
