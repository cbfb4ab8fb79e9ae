import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { requireBinary } from '@ssehub/testkit';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './standalone.js';

/** Where the manifests live. */
export const K8S_DIR = join(REPO_ROOT, 'deploy/k8s');
/** The Gateway API variant: deploy/k8s with an HTTPRoute in place of the Ingress objects. */
export const GATEWAY_API_DIR = join(REPO_ROOT, 'deploy/k8s-gateway-api');

/** The model (OpenAPI schema) of every kind the manifests may use; a new kind must be added here. */
export const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
};

/** One object of a manifest file, with the file it came from. */
export interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

/** Every object of every `*.yaml` in `dir` (deploy/k8s by default) except kustomization.yaml. */
export async function loadManifests(dir = K8S_DIR): Promise<Manifest[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
  const manifests: Manifest[] = [];
  for (const file of files.sort()) {
    for (const document of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      manifests.push({ ...(document.toJS() as Manifest), file });
    }
  }
  return manifests;
}

/**
 * What a `kubectl kustomize DIR` command renders, run as written from the repository root (kustomize reads
 * only the files: no cluster, no network): the objects as applied, namespace set and images retagged, each
 * with the file in `sources` that defines it.
 */
export async function renderKustomization(command: string, sources: readonly Manifest[]): Promise<Manifest[]> {
  requireBinary('kubectl', 'kubernetes-client');
  const { stdout } = await promisify(execFile)('bash', ['-c', command], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((document) => {
    if (document.errors.length > 0) throw new Error(`${command}: ${document.errors[0]!.message}`);
    const object = document.toJS() as Manifest;
    const source = sources.find((m) => m.kind === object.kind && m.metadata.name === object.metadata.name);
    if (!source) throw new Error(`${command} rendered ${object.kind} ${object.metadata.name}, which no manifest file defines`);
    return { ...object, file: source.file };
  });
}

/** The env shapes service-kit exports (`BASE_ENV_SHAPE`, `AUTH_ENV_SHAPE`, ...), by name, with their file's text. */
async function serviceKitShapes(): Promise<Map<string, string>> {
  const root = join(REPO_ROOT, 'packages/service-kit/src');
  const shapes = new Map<string, string>();
  for (const file of await readdir(root, { recursive: true })) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const source = await readFile(join(root, file), 'utf8');
    for (const [, name] of source.matchAll(/export const ([A-Z_]+_ENV_SHAPE)\b/g)) shapes.set(name!, source);
  }
  return shapes;
}

/** The environment variable names an app's config schema reads: its config.ts plus every shared shape it spreads. */
export async function envNamesReadBy(app: string): Promise<Set<string>> {
  const config = await readFile(join(REPO_ROOT, `apps/${app}/src/config.ts`), 'utf8');
  const shapes = await serviceKitShapes();
  const sources = [config, ...[...config.matchAll(/\.\.\.([A-Z_]+_ENV_SHAPE)\b/g)].map(([, name]) => shapes.get(name!) ?? '')];
  return new Set(sources.flatMap((source) => [...source.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1]!)));
}

/**
 * The schemas accept unknown fields (as the API server does by default), so a misspelt `readinesProbe` would
 * pass them and be dropped silently. TypeScript's excess-property check on the same models' types catches
 * it, like kubeconform's -strict: each object becomes a typed literal and tsc must accept the file.
 * Answers one line per error, naming the manifest.
 */
export async function unknownFieldErrors(manifests: readonly Manifest[]): Promise<string[]> {
  const models = join(REPO_ROOT, 'tests/e2e/node_modules/kubernetes-models');
  const dir = await mkdtemp(join(tmpdir(), 'ssehub-k8s-strict-'));
  const modulePath = (m: Manifest): string => `kubernetes-models/${m.apiVersion}/${m.kind}`;
  const kinds = [...new Map(manifests.map((m) => [m.kind, modulePath(m)])).entries()];
  const header = kinds.map(([kind, path]) => `import type { I${kind} } from '${path}';`);
  const body = manifests.map(({ file, ...object }, i) => `export const m${i}: I${object.kind} = ${JSON.stringify(object)};`);
  const tsconfig = {
    compilerOptions: { strict: true, noEmit: true, module: 'ESNext', moduleResolution: 'Bundler', target: 'ES2022', types: [] },
    files: ['manifests.ts'],
  };
  // Resolved by absolute path, so the temp project needs no node_modules of its own.
  Object.assign(tsconfig.compilerOptions, { skipLibCheck: true, paths: { 'kubernetes-models/*': [`${models}/*`] } });
  try {
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    await writeFile(join(dir, 'manifests.ts'), [...header, ...body].join('\n'));
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', dir]);
    return [];
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? String(error);
    return output.split('\n').filter(Boolean).map((line) => {
      const row = Number(/manifests\.ts\((\d+),/.exec(line)?.[1]) - header.length - 1;
      const manifest = manifests[row];
      return manifest ? `${manifest.file} ${manifest.kind} ${manifest.metadata.name}: ${line.replace(/^.*?error /, '')}` : line;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Fields of an HTTPRoute (gateway.networking.k8s.io/v1, standard channel) the manifests may use, by path. */
const HTTP_ROUTE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  '': ['apiVersion', 'kind', 'metadata', 'spec', 'file'],
  metadata: ['name', 'namespace', 'labels', 'annotations'],
  spec: ['parentRefs', 'hostnames', 'rules'],
  'spec.parentRefs[]': ['group', 'kind', 'namespace', 'name', 'sectionName', 'port'],
  'spec.rules[]': ['name', 'matches', 'filters', 'backendRefs', 'timeouts'],
  'spec.rules[].matches[]': ['path', 'headers', 'queryParams', 'method'],
  'spec.rules[].matches[].path': ['type', 'value'],
  'spec.rules[].backendRefs[]': ['group', 'kind', 'name', 'namespace', 'port', 'weight'],
  'spec.rules[].timeouts': ['request', 'backendRequest'],
};
/** The Gateway API's Duration: 1 to 4 parts of up to 5 digits with h, m, s or ms ("0s" turns a timeout off). */
export const GATEWAY_API_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/**
 * The schema checks kubernetes-models cannot make for an HTTPRoute (it has no Gateway API models): every
 * field is one the standard channel defines, path types and durations are valid. One line per error.
 */
export function httpRouteErrors(route: Manifest): string[] {
  const errors: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) return value.forEach((item) => walk(item, `${path}[]`));
    if (typeof value !== 'object' || value === null) return;
    const allowed = HTTP_ROUTE_FIELDS[path];
    if (!allowed) return;
    for (const [key, child] of Object.entries(value)) {
      if (!allowed.includes(key)) errors.push(`${path || '(root)'}: unknown field ${key}`);
      else walk(child, path ? `${path}.${key}` : key);
    }
  };
  walk(route, '');
  if (route.apiVersion !== 'gateway.networking.k8s.io/v1') errors.push(`apiVersion ${route.apiVersion}`);
  for (const rule of route.spec?.rules ?? []) {
    for (const match of rule.matches ?? []) {
      if (!['Exact', 'PathPrefix', 'RegularExpression'].includes(match.path?.type)) errors.push(`path type ${match.path?.type}`);
      if (!String(match.path?.value).startsWith('/')) errors.push(`path ${match.path?.value}`);
    }
    for (const [name, value] of Object.entries(rule.timeouts ?? {})) {
      if (!GATEWAY_API_DURATION.test(String(value))) errors.push(`timeouts.${name} ${value} is no Gateway API duration`);
    }
    for (const ref of rule.backendRefs ?? []) if (!Number.isInteger(ref.port)) errors.push(`backendRef ${ref.name} needs a port number`);
  }
  return errors;
}
