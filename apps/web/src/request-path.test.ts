import { describe, expect, it } from 'vitest';
import { toRootRelativePath } from './request-path.js';

describe('toRootRelativePath', () => {
  it('maps / and directories to index.html and drops the query', () => {
    expect(toRootRelativePath('/')).toBe('index.html');
    expect(toRootRelativePath('/docs/?x=1')).toBe('docs/index.html');
    expect(toRootRelativePath('/app-AB12CD34.js?v=2')).toBe('app-AB12CD34.js');
  });

  it('decodes and collapses harmless segments', () => {
    expect(toRootRelativePath('/a%20b.txt')).toBe('a b.txt');
    expect(toRootRelativePath('//assets/./logo.svg')).toBe('assets/logo.svg');
  });

  it.each(['/../package.json', '/%2e%2e/x', '/a/..%2f..%2fx', '/..%5cx', '/x%00.html', '/%E0%A4%A', '/.env', '/a/.git/config', 'x', ''])(
    'refuses %s instead of repairing it',
    (target) => {
      expect(toRootRelativePath(target)).toBeNull();
    },
  );
});
