import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startProcess, waitForHttp, type RunningProcess } from '@ssehub/testkit';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  GATEWAY_API_DIR,
  GATEWAY_API_DURATION,
  K8S_DIR,
  MODELS,
  envNamesReadBy,
  httpRouteErrors,
  loadManifests,
  renderKustomization,
  unknownFieldErrors,
  type Manifest,
} from './support/k8s-manifests.js';
import { REPO_ROOT } from './support/standalone.js';

/** How deploy/k8s/README.md shows what each directory applies (run here as written). */
const RENDER_K8S = 'kubectl kustomize deploy/k8s';
const RENDER_GATEWAY_API = 'kubectl kustomize deploy/k8s-gateway-api';
const APPS = ['gateway', 'ingest', 'web'] as const;
type App = (typeof APPS)[number];
/** Security settings a manifest may give any app (docs/ARCHITECTURE.md, Security), even one that reads none of them (web). */
const RESERVED_ENV = new Set(['JWT_SECRET', 'JWKS_URL', 'PUBLIC_TOPICS', 'CORS_ORIGINS']);

const appOf = (container: IContainer): App => {
  const app = APPS.find((name) => container.image?.startsWith(`ssehub/${name}:`));
  if (!app) throw new Error(`container ${container.name} runs an image of no ssehub app: ${container.image}`);
  return app;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('deploy/k8s manifests, as `kubectl kustomize deploy/k8s` renders them', () => {
  /** Every object of every file, the example Secret included. */
  let sources: Manifest[];
  /** What `kubectl apply -k deploy/k8s` applies. */
  let manifests: Manifest[];
  let deployments: Manifest[];
  let config: Record<string, string>;
  const byKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);
  const find = (kind: string, name: string): Manifest | undefined => byKind(kind).find((m) => m.metadata.name === name);
  const containers = (deployment: Manifest): IContainer[] => deployment.spec.template.spec.containers;

  beforeAll(async () => {
    sources = await loadManifests();
    manifests = await renderKustomization(RENDER_K8S, sources);
    deployments = byKind('Deployment');
    config = find('ConfigMap', 'ssehub-config')?.data ?? {};
  });

  it('validates every object against the Kubernetes OpenAPI schema of its kind', () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of sources) {
      const { file, ...object } = manifest;
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      if (!Model) throw new Error(`${file}: no schema registered for ${object.apiVersion} ${object.kind}`);
      expect(() => new Model(object as never).validate(), `${file}: ${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('has no unknown or misspelt fields (TypeScript excess-property check against the same models)', async () => {
    expect(await unknownFieldErrors(sources)).toEqual([]);
  });

  it('kustomization renders every manifest but the example Secret, in the ssehub namespace, with the images retagged', async () => {
    const kustomization = parseYaml(await readFile(join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
      images: { name: string }[];
    };
    const files = [...new Set(sources.map((m) => m.file))].filter((file) => !file.endsWith('.example.yaml'));
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      sources.filter((m) => !m.file.endsWith('.example.yaml')).map((m) => `${m.kind}/${m.metadata.name}`).sort(),
    );
    for (const m of manifests) expect(m.kind === 'Namespace' ? m.metadata.name : (m.metadata as { namespace?: string }).namespace, `${m.kind} ${m.metadata.name}`).toBe('ssehub');
    for (const d of deployments) for (const c of containers(d)) expect(c.image, c.name).toMatch(/^ssehub\/(gateway|ingest|web):0\.1\.0$/);
    const images = deployments.flatMap((d) => containers(d).map((c) => c.image!.split(':')[0]));
    expect(kustomization.images.map((image) => image.name).sort()).toEqual([...new Set(images)].sort());
  });

  it('gives every pod a termination grace longer than its preStop sleep plus its drain', async () => {
    const webMain = await readFile(join(REPO_ROOT, 'apps/web/src/main.ts'), 'utf8');
    const webDeadlineS = Number(/DRAIN_DEADLINE_S = ([\d_]+)/.exec(webMain)?.[1]?.replaceAll('_', '') ?? Number.NaN);
    for (const deployment of deployments) {
      const grace: number = deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30;
      for (const container of containers(deployment)) {
        const preStop = container.lifecycle?.preStop?.exec?.command;
        expect(preStop?.[0], `${container.name} preStop`).toBe('sleep');
        const sleepS = Number(preStop?.[1]);
        const env = container.env?.find((e) => e.name === 'DRAIN_TIMEOUT_S')?.value;
        const drainS = appOf(container) === 'web' ? webDeadlineS : Number(env ?? config.DRAIN_TIMEOUT_S ?? 10);
        expect(sleepS).toBeGreaterThan(0);
        expect(grace, `${container.name}: grace vs preStop ${sleepS} s + drain ${drainS} s`).toBeGreaterThanOrEqual(sleepS + drainS + 5);
      }
    }
  });

  it('sets only variables the apps read, each named in README, with NODE_ID from the pod name', async () => {
    const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]!));
    const read = new Map(await Promise.all(APPS.map(async (app) => [app, await envNamesReadBy(app)] as const)));
    const reads = (app: App, name: string): boolean => read.get(app)?.has(name) ?? false;
    const configConsumers = new Set<App>();
    for (const deployment of deployments) {
      for (const container of containers(deployment)) {
        const app = appOf(container);
        if (container.envFrom?.some((source) => source.configMapRef?.name === 'ssehub-config')) configConsumers.add(app);
        for (const variable of container.env ?? []) {
          expect(reads(app, variable.name) || RESERVED_ENV.has(variable.name), `${app} does not read ${variable.name}`).toBe(true);
        }
        if (app !== 'web') {
          expect(container.env?.find((e) => e.name === 'NODE_ID')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
        }
      }
    }
    expect([...configConsumers].sort()).toEqual(['gateway', 'ingest']);
    for (const key of Object.keys(config)) {
      expect([...configConsumers].some((app) => reads(app, key)), `no app that mounts ssehub-config reads ${key}`).toBe(true);
      expect(documented.has(key), `${key} is missing from README's configuration table`).toBe(true);
    }
    for (const required of ['BROKER_URL', 'HISTORY_MAX_PER_TOPIC', 'HISTORY_MAX_AGE_S', 'HEARTBEAT_S', 'LOG_LEVEL', 'DRAIN_TIMEOUT_S']) {
      expect(config, required).toHaveProperty(required);
    }
  });

  it('points every selector, Service port, HPA, PDB, Ingress backend and Secret reference at something that exists', () => {
    for (const deployment of deployments) {
      expect(matches(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels), deployment.metadata.name).toBe(true);
      for (const container of containers(deployment)) {
        const ports = new Set(container.ports?.map((port) => port.name));
        const probes = [container.startupProbe, container.readinessProbe, container.livenessProbe].filter((probe) => probe);
        for (const probe of probes) expect(ports.has(String(probe!.httpGet?.port)), `${container.name} probe port`).toBe(true);
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          const secret = sources.find((m) => m.kind === 'Secret' && m.metadata.name === ref?.name);
          if (ref) expect(secret?.stringData, `Secret ${ref.name}`).toHaveProperty(ref.key);
        }
      }
    }
    const podsOf = (selector: Record<string, string>): Manifest[] => deployments.filter((d) => matches(selector, d.spec.template.metadata.labels));
    for (const service of byKind('Service')) {
      const [target] = podsOf(service.spec.selector);
      expect(target, `Service ${service.metadata.name} selects no Deployment`).toBeDefined();
      const portNames = containers(target!).flatMap((c) => c.ports?.map((p) => p.name) ?? []);
      for (const port of service.spec.ports) expect(portNames).toContain(port.targetPort);
    }
    for (const hpa of byKind('HorizontalPodAutoscaler')) {
      expect(find('Deployment', hpa.spec.scaleTargetRef.name), hpa.metadata.name).toBeDefined();
      expect(hpa.spec.minReplicas, 'a PDB can evict one pod only while another serves').toBeGreaterThanOrEqual(2);
    }
    for (const pdb of byKind('PodDisruptionBudget')) expect(podsOf(pdb.spec.selector.matchLabels)).toHaveLength(1);
    const backends = byKind('Ingress').flatMap((ingress) => ingress.spec.rules.flatMap((rule: any) => rule.http.paths));
    for (const { backend } of backends) {
      const service = find('Service', backend.service.name);
      expect(service?.spec.ports.map((p: { name: string }) => p.name), backend.service.name).toContain(backend.service.port.name);
    }
  });

  it('routes /v1/events to the gateways with buffering off and a read timeout far above the heartbeat', () => {
    const events = byKind('Ingress').find((ingress) =>
      ingress.spec.rules.some((rule: any) => rule.http.paths.some((p: any) => p.path === '/v1/events')),
    )!;
    const annotations = events.metadata.annotations ?? {};
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(4 * Number(config.HEARTBEAT_S));
    const path = events.spec.rules[0].http.paths.find((p: any) => p.path === '/v1/events');
    const service = find('Service', path.backend.service.name)!;
    const [target] = deployments.filter((d) => matches(service.spec.selector, d.spec.template.metadata.labels));
    expect(containers(target!).map(appOf)).toEqual(['gateway']);
  });

  it('routes presence and the admin API to the gateways, not to ingest under the catch-all /v1', () => {
    const paths = byKind('Ingress').flatMap((ingress) => ingress.spec.rules.flatMap((rule: any) => rule.http.paths));
    const appAt = (path: string): App[] => {
      const route = paths.find((p: any) => p.path === path);
      expect(route, `an Ingress path ${path}`).toBeDefined();
      const service = find('Service', route.backend.service.name)!;
      return deployments.filter((d) => matches(service.spec.selector, d.spec.template.metadata.labels)).flatMap((d) => containers(d).map(appOf));
    };
    for (const path of ['/v1/presence', '/v1/admin']) expect(appAt(path), path).toEqual(['gateway']);
  });

  describe('the real apps, started with the ConfigMap values', () => {
    const running = new Map<App, { url: string; process: RunningProcess }>();
    beforeAll(async () => {
      for (const app of APPS) {
        const port = await freePort();
        // The broker is the in-process one here; every other value is the ConfigMap's, so a value the app
        // refuses (say HEARTBEAT_S: "15s") stops it at start and fails this test.
        const env = app === 'web' ? {} : { ...config, BROKER_URL: 'memory://', NODE_ID: `ssehub-${app}-7d9f8b6c5-x2k4q` };
        const main = join(REPO_ROOT, `apps/${app}`, app === 'web' ? 'dist-node/main.js' : 'dist/main.js');
        const child = startProcess(process.execPath, [main], { cwd: REPO_ROOT, env: { ...process.env, ...env, PORT: String(port) } });
        const url = `http://127.0.0.1:${port}`;
        running.set(app, { url, process: child });
        // A value the app refuses makes it exit at once: fail then, not after the wait.
        const exited = new Promise<never>((_, reject) => child.child.once('exit', () => reject(new Error('exited'))));
        await Promise.race([waitForHttp(`${url}/healthz`, 20_000), exited]).catch((error: unknown) => {
          throw new Error(`${app} did not start with the ConfigMap values:\n${child.output()}`, { cause: error });
        });
      }
    });
    afterAll(async () => {
      await Promise.all([...running.values()].map((app) => app.process.stop()));
    });

    it('answers 200 on every startup, readiness and liveness probe path', async () => {
      for (const deployment of deployments) {
        for (const container of containers(deployment)) {
          const { url } = running.get(appOf(container))!;
          const probes = [container.startupProbe, container.readinessProbe, container.livenessProbe].filter((probe) => probe);
          expect(probes.length).toBeGreaterThanOrEqual(2);
          for (const probe of probes) {
            const response = await fetch(`${url}${probe!.httpGet!.path}`);
            expect(response.status, `${container.name} ${probe!.httpGet!.path}`).toBe(200);
          }
        }
      }
    });
  });
});

describe('deploy/k8s-gateway-api, as `kubectl kustomize deploy/k8s-gateway-api` renders it', () => {
  let base: Manifest[];
  let rendered: Manifest[];
  let route: Manifest;
  const key = (m: Manifest): string => `${m.kind}/${m.metadata.name}`;

  beforeAll(async () => {
    base = await renderKustomization(RENDER_K8S, await loadManifests());
    rendered = await renderKustomization(RENDER_GATEWAY_API, [...(await loadManifests()), ...(await loadManifests(GATEWAY_API_DIR))]);
    route = rendered.find((m) => m.kind === 'HTTPRoute')!;
  });

  it('is deploy/k8s with one valid HTTPRoute in place of the Ingress objects', () => {
    expect(rendered.map(key).sort()).toEqual([...base.filter((m) => m.kind !== 'Ingress').map(key), 'HTTPRoute/ssehub'].sort());
    expect(httpRouteErrors(route)).toEqual([]);
    expect((route.metadata as { namespace?: string }).namespace).toBe('ssehub');
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ssehub' }]);
  });

  it('routes every Ingress path to the same Service, on the port the Service names', () => {
    const services = base.filter((m) => m.kind === 'Service');
    const servicePort = (name: string, portName: string): number | undefined =>
      services.find((s) => s.metadata.name === name)?.spec.ports.find((p: { name: string }) => p.name === portName)?.port;
    const ingressPaths = base.filter((m) => m.kind === 'Ingress').flatMap((ingress) => ingress.spec.rules.flatMap((rule: any) => rule.http.paths));
    expect(ingressPaths.length).toBeGreaterThan(0);
    for (const { path, pathType, backend } of ingressPaths) {
      const type = pathType === 'Exact' ? 'Exact' : 'PathPrefix';
      const rule = route.spec.rules.find((r: any) => r.matches.some((m: any) => m.path.type === type && m.path.value === path));
      expect(rule, `an HTTPRoute rule for ${type} ${path}`).toBeDefined();
      expect(rule.backendRefs.map((ref: any) => [ref.name, ref.port]), path).toEqual([
        [backend.service.name, servicePort(backend.service.name, backend.service.port.name)],
      ]);
    }
    const matched = route.spec.rules.flatMap((r: any) => r.matches.map((m: any) => m.path.value)).sort();
    expect(matched).toEqual(ingressPaths.map((p: any) => p.path).sort());
  });

  it('turns the request timeouts off on /v1/events (a stream lives for hours) and bounds them on the other API paths', () => {
    const ruleFor = (path: string): any => route.spec.rules.find((r: any) => r.matches.some((m: any) => m.path.value === path));
    expect(ruleFor('/v1/events').timeouts).toEqual({ request: '0s', backendRequest: '0s' });
    for (const path of ['/v1/presence', '/v1/admin', '/v1']) expect(ruleFor(path).timeouts?.request, path).toMatch(GATEWAY_API_DURATION);
    expect(route.spec.rules.some((r: any) => r.filters?.length), 'no filters (sessions stay unpinned, bodies untouched)').toBe(false);
  });
});
