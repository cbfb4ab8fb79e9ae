import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { loadAverage } from '../measure/proc-stat.js';

/** The machine and software a run measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly kernel: string;
  readonly node: string;
  readonly nginx: string;
  readonly nchan: string;
  readonly openFilesLimit: string;
  readonly loadAverageAtStart: number;
}

function quiet(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    // nginx -v writes its version to stderr
    return String((error as { stderr?: string }).stderr ?? '').trim() || 'not installed';
  }
}

/** Reads the machine's description; run before the first scenario so the load average is the background's. */
export function describeMachine(): MachineInfo {
  const nginxVersion = quiet('/bin/sh', ['-c', 'nginx -v 2>&1']);
  const nchan = quiet('/bin/sh', ['-c', "dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null"]);
  let limit = 'unknown';
  try {
    limit = /Max open files\s+(\d+)\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.slice(1).join(' / ') ?? limit;
  } catch {
    // not Linux
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    nginx: nginxVersion.replace(/^nginx version: /, ''),
    nchan: nchan || 'not installed',
    openFilesLimit: limit,
    loadAverageAtStart: loadAverage(),
  };
}
