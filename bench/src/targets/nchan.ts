import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitForPort } from '@ssehub/testkit';
import { pin } from '../ipc.js';
import { processTree } from '../measure/proc-stat.js';
import { startPublisher } from './publisher-child.js';
import type { Target } from './target.js';

/** Where Debian's libnginx-mod-nchan puts the module. */
export const NCHAN_MODULE = '/usr/lib/nginx/modules/ngx_nchan_module.so';

/** Installs Debian's nginx + Nchan when missing (the bench may run on a fresh machine). */
export function ensureNchan(log: (line: string) => void): void {
  if (existsSync('/usr/sbin/nginx') && existsSync(NCHAN_MODULE)) return;
  log('  installing nginx + libnginx-mod-nchan with apt-get ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): void => void execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'nginx', 'libnginx-mod-nchan'], { env, stdio: 'ignore' });
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update'], { env, stdio: 'ignore' });
    install();
  }
}

function nchanConfig(dir: string, port: number, workers: number): string {
  return `load_module ${NCHAN_MODULE};
daemon off;
worker_processes ${workers};
worker_rlimit_nofile 19500;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 19000; multi_accept on; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  nchan_shared_memory_size 512M;
  server {
    listen 127.0.0.1:${port} backlog=4096${workers > 1 ? ' reuseport' : ''};
    location ~ ^/sub/(.+)$ {
      nchan_subscriber eventsource;
      nchan_channel_id $1;
      nchan_eventsource_ping_interval 15;
    }
    location ~ ^/pub/(.+)$ {
      nchan_publisher;
      nchan_channel_id $1;
      nchan_message_buffer_length 100;
    }
  }
}
`;
}

/** Options of {@link startNchan}. */
export interface NchanOptions {
  readonly cpus?: string;
  readonly publisherCpus: string;
  /** nginx worker processes; more than one is needed past ~19,000 connections (the fd limit). @default 1 */
  readonly workers?: number;
}

/** Nginx + Nchan with the memory store: EventSource subscribers on /sub/<channel>, HTTP publishes to /pub/<channel>. */
export async function startNchan(options: NchanOptions): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'ssehub-bench-nchan-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const port = await freePort();
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, nchanConfig(dir, port, options.workers ?? 1));
  const nginx = startProcess('/usr/sbin/nginx', ['-c', configFile, '-p', `${dir}/`, '-e', join(dir, 'error.log')]);
  try {
    await waitForPort(port, 15_000, `nginx + nchan on port ${port}`);
  } catch (error) {
    await nginx.kill();
    const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
    throw new Error(`nginx + nchan did not start:\n${nginx.output()}${log}`, { cause: error });
  }
  const master = nginx.child.pid!;
  if (options.cpus !== undefined) for (const pid of processTree(master)) pin(pid, options.cpus);
  const publisher = await startPublisher({ cpus: options.publisherCpus, mode: 'nchan', url: `http://127.0.0.1:${port}` });
  // Channel ids are one path segment: topic "bench/fanout" is channel "bench_fanout".
  const channel = (topic: string): string => topic.replaceAll('/', '_');
  return {
    name: 'nchan',
    streams: (topicTemplate) => [{ host: '127.0.0.1', port, pathTemplate: `/sub/${channel(topicTemplate)}` }],
    publish: (plan) => publisher.publish({ ...plan, topicTemplate: channel(plan.topicTemplate) }),
    serverPids: () => [master],
    publisherPids: () => [publisher.pid],
    brokerPids: () => [],
    settle: async () => {},
    async stop() {
      await publisher.stop();
      await nginx.stop('SIGTERM', 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
