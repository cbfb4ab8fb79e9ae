// What the registry shows of a published package comes from its package.json and README alone: links
// there must lead somewhere once the package is outside this repository.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/standalone.js';

const PUBLISHED = ['protocol', 'broker'] as const;

interface Manifest {
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
}

describe.each(PUBLISHED)('@ssehub/%s on the registry', (name) => {
  const dir = join(REPO_ROOT, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

  it('names its repository folder, homepage and issue tracker', () => {
    expect(manifest.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/), directory: `packages/${name}` });
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs?.url).toMatch(/^https:\/\//);
  });

  it('links from its README only to absolute URLs or anchors, never to a file the package does not ship', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    expect(targets.filter((target) => !/^(https?:\/\/|#)/.test(target))).toEqual([]);
  });
});
