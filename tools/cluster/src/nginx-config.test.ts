import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '@ssehub/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { localNginxConfig, renderTemplate, upstreamServers } from './nginx-config.js';
import { writeNginxConfig } from './nginx-server.js';
import { NGINX_TEMPLATE } from './paths.js';

const template = readFileSync(NGINX_TEMPLATE, 'utf8');
const values = {
  SSEHUB_LISTEN: '127.0.0.1:18080',
  SSEHUB_GATEWAY_SERVERS: upstreamServers(['127.0.0.1:18081', '127.0.0.1:18082']),
  SSEHUB_INGEST_SERVERS: upstreamServers(['127.0.0.1:18083']),
  SSEHUB_WEB_SERVERS: upstreamServers(['127.0.0.1:18084']),
};
const dir = mkdtempSync(join(tmpdir(), 'ssehub-nginx-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The body of `location <match> { ... }` in the rendered config. */
function location(config: string, match: string): string {
  const start = config.indexOf(`location ${match} {`);
  if (start < 0) throw new Error(`no location ${match}`);
  return config.slice(start, config.indexOf('\n    }', start));
}

describe('the nginx template', () => {
  // Comments dropped, so the checks see directives only.
  const rendered = renderTemplate(template, values).replace(/#.*$/gm, '');

  it('fills the SSEHUB_ placeholders and leaves nginx variables alone', () => {
    expect(renderTemplate(template, values)).not.toMatch(/\$\{SSEHUB_/);
    expect(rendered).toContain('server 127.0.0.1:18081;\n    server 127.0.0.1:18082;');
    expect(rendered).toContain('$proxy_add_x_forwarded_for');
    expect(rendered).toContain('$http_last_event_id');
  });

  it('refuses to leave a placeholder unfilled', () => {
    expect(() => renderTemplate('listen ${SSEHUB_LISTEN}; ${SSEHUB_NOPE}', values)).toThrow(/SSEHUB_NOPE/);
  });

  it('streams /v1/events without buffering, caching or compression, with a long read timeout', () => {
    const events = location(rendered, '= /v1/events');
    for (const line of ['proxy_pass http://ssehub_gateways;', 'proxy_buffering off;', 'proxy_cache off;', 'gzip off;', 'proxy_read_timeout 1h;']) {
      expect(events).toContain(line);
    }
    expect(location(rendered, '/v1/presence/')).toContain('proxy_pass http://ssehub_gateways;');
    // The admin API lives on the gateways; without its own location it would fall through to ingest.
    expect(location(rendered, '/v1/admin/')).toContain('proxy_pass http://ssehub_gateways;');
    expect(location(rendered, '/v1/')).toContain('proxy_pass http://ssehub_ingest;');
    expect(location(rendered, '/')).toContain('proxy_pass http://ssehub_web;');
  });

  it('keeps upstream connections alive over HTTP/1.1 and sets proxy headers in one place only', () => {
    expect(rendered).toContain('proxy_http_version 1.1;');
    expect(rendered).toContain('proxy_set_header Connection "";');
    expect(rendered).toContain('proxy_set_header X-Request-Id $request_id;');
    expect(rendered.match(/keepalive \d+;/g)).toHaveLength(3);
    // A location with its own proxy_set_header would silently drop the server-level ones.
    const locations = rendered.slice(rendered.indexOf('location '));
    expect(locations).not.toContain('proxy_set_header');
  });

  it('renders into a complete config that Debian nginx accepts', () => {
    const nginx = requireBinary('nginx', 'nginx');
    for (const sub of ['logs', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, localNginxConfig(dir, rendered));
    const output = execFileSync(nginx, ['-t', '-c', file, '-p', `${dir}/`, '-e', join(dir, 'logs', 'error.log')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(output).toBe('');
  });

  it('runs several workers on one port with reuseport, in a config Debian nginx accepts', () => {
    const workersDir = join(dir, 'workers');
    const file = writeNginxConfig({
      dir: workersDir,
      port: 18080,
      gateways: ['127.0.0.1:18081'],
      ingest: ['127.0.0.1:18083'],
      web: ['127.0.0.1:18084'],
      workers: 4,
    });
    const config = readFileSync(file, 'utf8');
    expect(config).toContain('worker_processes 4;');
    expect(config).toContain('listen 127.0.0.1:18080 reuseport default_server;');
    const nginx = requireBinary('nginx', 'nginx');
    const output = execFileSync(nginx, ['-t', '-c', file, '-p', `${workersDir}/`, '-e', join(workersDir, 'logs', 'error.log')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(output).toBe('');
  });
});
