import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, startProcess, waitForHttp, type RunningProcess } from '@ssehub/testkit';
import { GATEWAY_SERVER_PARAMS, localNginxConfig, renderTemplate, upstreamServers } from './nginx-config.js';
import { NGINX_TEMPLATE } from './paths.js';

/** Options of {@link startNginx}. */
export interface StartNginxOptions {
  /** The cluster's directory: nginx.conf, pid, logs/ and tmp/ go here. */
  readonly dir: string;
  /** Port nginx listens on (loopback only). */
  readonly port: number;
  /** `host:port` of each upstream. */
  readonly gateways: readonly string[];
  readonly ingest: readonly string[];
  readonly web: readonly string[];
  /** nginx worker processes, sharing the port with `reuseport` when more than one (the bench's crowds). @default 1 */
  readonly workers?: number;
}

/** The cluster's load balancer: Debian's nginx in the foreground with the shared template. */
export interface NginxServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly configFile: string;
  readonly process: RunningProcess;
  /** Fast shutdown (SIGTERM): open streams are cut, which is what a load balancer going away does. */
  stop(): Promise<void>;
}

/** Renders deploy/nginx/ssehub.conf.template into `<dir>/nginx.conf` for loopback upstreams. */
export function writeNginxConfig(options: StartNginxOptions): string {
  for (const sub of ['logs', 'tmp']) mkdirSync(join(options.dir, sub), { recursive: true });
  const routing = renderTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), {
    SSEHUB_LISTEN: `127.0.0.1:${options.port}${(options.workers ?? 1) > 1 ? ' reuseport' : ''}`,
    SSEHUB_GATEWAY_SERVERS: upstreamServers(options.gateways, GATEWAY_SERVER_PARAMS),
    SSEHUB_INGEST_SERVERS: upstreamServers(options.ingest),
    SSEHUB_WEB_SERVERS: upstreamServers(options.web),
  });
  const file = join(options.dir, 'nginx.conf');
  writeFileSync(file, localNginxConfig(options.dir, routing, options.workers));
  return file;
}

/** Starts `nginx -c <dir>/nginx.conf -p <dir>` and resolves once its `/healthz` answers. */
export async function startNginx(options: StartNginxOptions): Promise<NginxServer> {
  const binary = requireBinary('nginx', 'nginx');
  const configFile = writeNginxConfig(options);
  const errorLog = join(options.dir, 'logs', 'nginx-error.log');
  // -e: errors before the config is read would otherwise go to /var/log/nginx, unwritable for non-root.
  const child = startProcess(binary, ['-c', configFile, '-p', `${options.dir}/`, '-e', errorLog]);
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHttp(`${url}/healthz`, 15_000);
  } catch (error) {
    await child.kill();
    const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '';
    throw new Error(`nginx did not start on ${url}:\n${child.output()}${log}`, { cause: error });
  }
  return { url, configFile, process: child, stop: () => child.stop('SIGTERM', 5000) };
}
