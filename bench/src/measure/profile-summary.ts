import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a V8 CPU profile's busy (non-idle) time went. */
export interface ProfileSummary {
  readonly file: string;
  readonly busyMs: number;
  /** Share of busy time per category, %. */
  readonly categories: Record<string, number>;
  /** The functions with the most self time: [name, %]. */
  readonly top: [string, number][];
}

/** Which part of the stack a function belongs to. */
function categorise(frame: ProfileNode['callFrame']): string {
  const { functionName: name, url } = frame;
  if (name === '(garbage collector)') return 'garbage collection';
  if (url === '' && /^(write|writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(name)) return 'socket write (syscall)';
  if (url === '') return 'other native';
  if (url.includes('/apps/gateway/') || url.includes('/gateway/dist/')) return 'gateway (ssehub)';
  if (url.includes('/broker/')) return 'broker core (ssehub)';
  if (url.startsWith('node:')) return /stream|net|buffer/.test(url) ? 'node streams / net' : 'node other';
  return 'other JS';
}

/** Reads a `.cpuprofile` and sums self time by category and by function, idle excluded. */
export function summariseProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byCategory = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    // A sample lasts until the next one: its duration is the next delta, not its own.
    const micros = profile.timeDeltas[i + 1] ?? 0;
    if (!frame || frame.functionName === '(idle)' || frame.functionName === '(program)') return;
    busy += micros;
    const where = frame.url === '' ? '' : ` ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    const category = categorise(frame);
    byCategory.set(category, (byCategory.get(category) ?? 0) + micros);
  });
  const share = (micros: number): number => Math.round((1000 * micros) / Math.max(1, busy)) / 10;
  return {
    file,
    busyMs: Math.round(busy / 1000),
    categories: Object.fromEntries([...byCategory].sort((a, b) => b[1] - a[1]).map(([name, micros]) => [name, share(micros)])),
    top: [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([name, micros]) => [name, share(micros)]),
  };
}
