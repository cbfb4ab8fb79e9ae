import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeCursor } from '@ssehub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startStandalone, type StandaloneProcess } from './support/standalone.js';

const run = promisify(execFile);
const PUBLISHED = ['protocol', 'broker'] as const;
const EXAMPLES = ['node-esm', 'node-cjs', 'typescript'] as const;
/** `"files": ["dist"]` plus what npm always ships. */
const SHIPPED_FILES = new Set(['dist', 'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']);

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** What the JavaScript examples print as their last line. */
interface ExampleReport {
  example: string;
  broker: number[];
  published: string[];
  received: { id: string; n: number }[];
}

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;
const lastLine = (stdout: string): string => stdout.trim().split('\n').at(-1) ?? '';
const positionOf = (id: string): number => decodeCursor(id)?.positions[0] ?? Number.NaN;

/** The registry packages an example declares, other than ours and the compiler (taken from the repository). */
async function declaredThirdParty(example: string): Promise<string[]> {
  const manifest = await readJson<PackageJson>(join(REPO_ROOT, 'examples', example, 'package.json'));
  const all = { ...manifest.dependencies, ...manifest.devDependencies };
  return Object.entries(all)
    .filter(([name]) => !name.startsWith('@ssehub/') && name !== 'typescript')
    .map(([name, range]) => `${name}@${range}`);
}

/**
 * Packs every published package as `pnpm publish` would, then installs the tarballs with plain npm ONCE into a
 * directory outside the workspace; each example is copied below it, so all three resolve that one install.
 */
async function installPacked(work: string): Promise<string[]> {
  const packs = join(work, 'packs');
  for (const name of PUBLISHED) {
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(REPO_ROOT, 'packages', name) });
  }
  const tarballs = (await readdir(packs)).map((file) => join(packs, file));
  await writeFile(join(work, 'package.json'), JSON.stringify({ name: 'ssehub-packed-examples', private: true }));
  const extras = [...new Set((await Promise.all(EXAMPLES.map(declaredThirdParty))).flat())];
  const flags = ['--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', '--loglevel=error'];
  await run('npm', ['install', ...flags, ...tarballs, ...extras], { cwd: work, timeout: 60_000 });
  const skipBuilt = (source: string): boolean => !/[/\\](node_modules|dist)$/.test(source);
  for (const example of EXAMPLES) {
    await cp(join(REPO_ROOT, 'examples', example), join(work, example), { recursive: true, filter: skipBuilt });
  }
  return tarballs;
}

describe('the packed packages, installed by npm outside the workspace', () => {
  let work: string;
  let tarballs: string[];
  let server: StandaloneProcess;
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, SSEHUB_URL: server.url });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ssehub-packed-'));
    // The examples run without a token against the default `pnpm start` settings, as a first try would:
    // their rooms/ topics are the demo's public ones.
    [tarballs, server] = await Promise.all([installPacked(work), startStandalone()]);
  });
  afterAll(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('packs real version ranges instead of workspace: and catalog: specifiers, and no sources', async () => {
    expect(tarballs).toHaveLength(PUBLISHED.length);
    for (const name of PUBLISHED) {
      const installed = join(work, 'node_modules', '@ssehub', name);
      const manifest = await readJson<PackageJson>(join(installed, 'package.json'));
      const ranges = Object.values({ ...manifest.dependencies, ...manifest.peerDependencies });
      expect(ranges.filter((range) => /^(workspace|catalog):/.test(range)), manifest.name).toEqual([]);
      const unexpected = (await readdir(installed)).filter((file) => !SHIPPED_FILES.has(file));
      expect(unexpected, manifest.name).toEqual([]);
    }
    const protocol = await readJson<PackageJson>(join(work, 'node_modules/@ssehub/protocol/package.json'));
    const broker = await readJson<PackageJson>(join(work, 'node_modules/@ssehub/broker/package.json'));
    expect(broker.dependencies?.['@ssehub/protocol']).toBe(`^${protocol.version}`);
  });

  it.each([
    ['node-esm', 'main.mjs'],
    ['node-cjs', 'main.cjs'],
  ])('runs the %s example: offline codecs, the in-process broker, and 3 events over HTTP in order', async (example, main) => {
    const { stdout } = await run(process.execPath, [main], { cwd: join(work, example), env: env(), timeout: 30_000 });
    const report = JSON.parse(lastLine(stdout)) as ExampleReport;
    expect(report.example).toBe(example);
    expect(report.broker).toEqual([0, 1, 2]);
    expect(report.received.map((event) => event.n)).toEqual([0, 1, 2]);
    expect(report.received.map((event) => event.id)).toEqual(report.published);
    const positions = report.published.map(positionOf);
    expect(positions.every((position, i) => i === 0 || position > positions[i - 1]!)).toBe(true);
  });

  it('type-checks the TypeScript example (nodenext, ESM and .cts) against the published declarations and runs it', async () => {
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const cwd = join(work, 'typescript');
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed:\n${error.stdout ?? String(error)}`);
    });
    const { stdout } = await run(process.execPath, ['dist/main.js'], { cwd, env: env(), timeout: 30_000 });
    const report = JSON.parse(lastLine(stdout)) as { received: { n: number }[]; ids: string[]; inOrder: boolean };
    expect(report.received).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(report.inOrder).toBe(true);
    expect(new Set(report.ids).size).toBe(3);
    const commonjs = await run(process.execPath, ['-p', "require('./dist/commonjs-consumer.cjs').positionOf('abc-9')"], { cwd });
    expect(commonjs.stdout.trim()).toBe('9');
  });

  it.each(PUBLISHED)('passes publint --strict and arethetypeswrong (its lint script) for @ssehub/%s', async (name) => {
    const cwd = join(REPO_ROOT, 'packages', name);
    const result = await run('pnpm', ['run', '--silent', 'lint'], { cwd, timeout: 60_000 }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`lint of @ssehub/${name} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    expect(result.stdout).toContain('All good!');
  });
});
