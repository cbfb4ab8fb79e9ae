// docker-compose.yml and the Dockerfile, checked without a Docker engine: Debian's docker-compose
// validates the file against the Compose schema and resolves it; the rest is checked against the apps.
// containers-compose.test.ts builds the images and runs the file for real.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLUSTER_APP_ENV,
  GATEWAY_SERVER_PARAMS,
  NGINX_TEMPLATE,
  REPO_ROOT,
  renderTemplate,
  upstreamServers,
  type NginxTemplateValues,
} from '@ssehub/cluster';
import { loadGatewayConfig } from '@ssehub/gateway';
import { loadIngestConfig } from '@ssehub/ingest';
import { requireBinary } from '@ssehub/testkit';
import { describe, expect, it } from 'vitest';

interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  ports?: { target: number; published: number | string }[] | string[];
  volumes?: (string | { source?: string; target: string })[];
  depends_on?: Record<string, { condition: string }>;
}

/** Runs `docker-compose config` (schema validation, anchors, interpolation) and returns it as JSON. */
function resolvedCompose(env: Record<string, string> = {}): Record<string, ComposeService> {
  const compose = requireBinary('docker-compose', 'docker-compose');
  const yaml = execFileSync(compose, ['-f', join(REPO_ROOT, 'docker-compose.yml'), 'config'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  // python3-yaml comes with Debian's docker-compose.
  const json = execFileSync('python3', ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], {
    input: yaml,
    encoding: 'utf8',
  });
  return (JSON.parse(json) as { services: Record<string, ComposeService> }).services;
}

const byTarget = (services: Record<string, ComposeService>, target: string): [string, ComposeService][] =>
  Object.entries(services).filter(([, service]) => service.build?.target === target);

/** Names set in `environment` that the app's config schema does not read (a typo or a dead variable). */
function unknownNames(env: Record<string, string>, parsed: object): string[] {
  return Object.keys(env).filter((name) => !(name in parsed));
}

describe('docker-compose.yml', () => {
  const services = resolvedCompose();

  it('passes docker-compose config validation', () => {
    const compose = requireBinary('docker-compose', 'docker-compose');
    execFileSync(compose, ['-f', join(REPO_ROOT, 'docker-compose.yml'), 'config', '-q'], { cwd: REPO_ROOT });
  });

  it('runs redis with AOF on a volume and NATS with JetStream file storage on a volume', () => {
    const redis = services.redis!;
    expect(redis.command?.join(' ')).toContain('--appendonly yes');
    expect(JSON.stringify(redis.volumes)).toContain('/data');
    const nats = services.nats!;
    expect(nats.command).toContain('-js');
    expect(nats.command?.[nats.command.indexOf('-sd') + 1]).toBe('/data');
    expect(JSON.stringify(nats.volumes)).toContain('/data');
    expect(nats.healthcheck?.test?.join(' ')).toContain('8222');
  });

  it('gives every service a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test?.length, `${name} has no healthcheck`).toBeGreaterThan(0);
    }
  });

  it('runs at least two gateways with distinct NODE_IDs, one ingest, one web', () => {
    const gateways = byTarget(services, 'gateway');
    expect(gateways.length).toBeGreaterThanOrEqual(2);
    const ids = gateways.map(([, service]) => service.environment?.NODE_ID);
    expect(new Set(ids).size).toBe(gateways.length);
    expect(byTarget(services, 'ingest')).toHaveLength(1);
    expect(byTarget(services, 'web')).toHaveLength(1);
  });

  it('runs one gateway process per container: more gateway containers scale out, not WORKERS=auto (a process per host core)', () => {
    for (const [name, service] of byTarget(services, 'gateway')) {
      expect(service.environment?.WORKERS, name).toBe('1');
      expect(loadGatewayConfig(service.environment ?? {}).WORKERS, name).toBe(1);
    }
  });

  it.each([['redis (default)', {}], ['nats', { BROKER_URL: 'nats://nats:4222' }]])(
    'sets only variables the apps read, with values their config accepts, over %s',
    (_, env: Record<string, string>) => {
      const resolved = resolvedCompose(env);
      for (const [name, service] of byTarget(resolved, 'gateway')) {
        const environment = service.environment ?? {};
        const parsed = loadGatewayConfig(environment);
        expect(unknownNames(environment, parsed), name).toEqual([]);
        expect(parsed.BROKER_URL.href).toBe(env.BROKER_URL ?? 'redis://redis:6379');
      }
      for (const [name, service] of byTarget(resolved, 'ingest')) {
        const environment = service.environment ?? {};
        expect(unknownNames(environment, loadIngestConfig(environment)), name).toEqual([]);
      }
      // pnpm cluster starts the apps with the same defaults.
      for (const [name, service] of [...byTarget(resolved, 'gateway'), ...byTarget(resolved, 'ingest')]) {
        expect(service.environment, name).toMatchObject(CLUSTER_APP_ENV);
      }
      // apps/web/src/config.ts reads PORT only.
      for (const [, service] of byTarget(resolved, 'web')) expect(Object.keys(service.environment ?? {})).toEqual(['PORT']);
    },
  );

  it('builds every app from a stage of the one Dockerfile', () => {
    const stages = [...readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      expect(service.build.context, name).toBe(REPO_ROOT.replace(/\/$/, ''));
      expect(stages, `${name} builds target ${service.build.target}`).toContain(service.build.target);
    }
  });

  it('points nginx at every gateway, ingest and web on the port each listens on, through the shared template', () => {
    const nginx = services.nginx!;
    const env = nginx.environment as unknown as NginxTemplateValues;
    const upstream = (target: string, params = ''): string =>
      upstreamServers(byTarget(services, target).map(([name, service]) => `${name}:${service.environment?.PORT}`), params).replace(/\s+/g, ' ');
    // The same server parameters as pnpm cluster's.
    expect(env.SSEHUB_GATEWAY_SERVERS).toBe(upstream('gateway', GATEWAY_SERVER_PARAMS));
    expect(env.SSEHUB_INGEST_SERVERS).toBe(upstream('ingest'));
    expect(env.SSEHUB_WEB_SERVERS).toBe(upstream('web'));
    // The same template pnpm cluster renders, mounted where the image's envsubst step finds it.
    expect(JSON.stringify(nginx.volumes)).toContain('/etc/nginx/templates/ssehub.conf.template');
    const rendered = renderTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), env);
    expect(rendered).toContain(`listen ${env.SSEHUB_LISTEN} default_server;`);
    expect(JSON.stringify(nginx.ports)).toContain(`"target":${Number(env.SSEHUB_LISTEN)}`);
    expect(Object.keys(nginx.depends_on ?? {}).sort()).toEqual(
      [...byTarget(services, 'gateway'), ...byTarget(services, 'ingest'), ...byTarget(services, 'web')].map(([name]) => name).sort(),
    );
  });
});
