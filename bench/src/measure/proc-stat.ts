import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux we run on). @default 100 */
export const CLOCK_TICKS_PER_S = 100;
const PAGE_KB = 4;

/** CPU time and resident memory of a group of processes at one instant. */
export interface ProcSample {
  /** Sum of user + system CPU of every process, in microseconds. */
  readonly cpuUs: number;
  /** Sum of resident set sizes, in KB. */
  readonly rssKb: number;
  /** When it was taken (performance.now(), ms). */
  readonly at: number;
}

function readOne(pid: number): { cpuUs: number; rssKb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name may contain spaces; the fields we need follow its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { cpuUs: (ticks * 1_000_000) / CLOCK_TICKS_PER_S, rssKb: rssPages * PAGE_KB };
  } catch {
    return undefined; // it exited
  }
}

/** The pid and all its descendants (cluster workers, nginx workers). */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      const children = readFileSync(`/proc/${all[i]}/task/${all[i]}/children`, 'latin1').trim();
      if (children) all.push(...children.split(' ').map(Number));
    } catch {
      // gone
    }
  }
  return all;
}

/** Samples CPU and RSS summed over each pid's whole process tree. */
export function sampleProcs(pids: readonly number[]): ProcSample {
  let cpuUs = 0;
  let rssKb = 0;
  for (const root of pids) {
    for (const pid of processTree(root)) {
      const one = readOne(pid);
      if (!one) continue;
      cpuUs += one.cpuUs;
      rssKb += one.rssKb;
    }
  }
  return { cpuUs, rssKb, at: performance.now() };
}

/** The machine's 1-minute load average, to report beside every figure. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'latin1').split(' ')[0]);
}

/** The pid of the process whose command line (args joined by spaces) matches: a broker started on a known port. */
export function findPid(matches: (commandLine: string) => boolean): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (matches(readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' '))) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}
