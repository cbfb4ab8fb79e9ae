import { createHash } from 'node:crypto';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Options of {@link finishBrowserBuild}. */
export interface FinishBrowserBuildOptions {
  /** Static files to ship as they are (index.html, styles.css, ...). */
  publicDir: string;
  /** Where tsup wrote the hashed bundles (`app-<hash>.js`, `admin-<hash>.js`). */
  outDir: string;
}

// Assets get a content hash in their name so the static handler can let browsers cache them for
// a year; only the pages (no-cache) name them, so one new deploy is one new set of pages.
const HASHED_PUBLIC_EXTENSIONS = new Set(['.css']);

function contentHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 8).toUpperCase();
}

/** Copies public/ into the bundles' directory, hashing stylesheets and pointing every page at the hashed names. */
export async function finishBrowserBuild(options: FinishBrowserBuildOptions): Promise<void> {
  const renames = new Map<string, string>();
  for (const name of await readdir(options.outDir)) {
    const bundle = /^([a-z][a-z-]*)-[A-Za-z0-9]{8}\.js$/.exec(name);
    if (bundle) renames.set(`${bundle[1]}.js`, name);
  }
  if (!renames.has('app.js')) throw new Error(`no app-<hash>.js in ${options.outDir}; did esbuild change its entry names?`);

  const pages: string[] = [];
  for (const entry of await readdir(options.publicDir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const source = join(options.publicDir, entry.name);
    const extension = extname(entry.name);
    if (extension === '.html') {
      pages.push(entry.name);
      continue;
    }
    if (!HASHED_PUBLIC_EXTENSIONS.has(extension)) {
      await copyFile(source, join(options.outDir, entry.name));
      continue;
    }
    const body = await readFile(source);
    const hashed = `${entry.name.slice(0, -extension.length)}-${contentHash(body)}${extension}`;
    await writeFile(join(options.outDir, hashed), body);
    renames.set(entry.name, hashed);
  }

  const referenced = new Set<string>();
  for (const page of pages) {
    let html = await readFile(join(options.publicDir, page), 'utf8');
    for (const [plain, hashed] of renames) {
      const reference = new RegExp(`(["'/])${plain.replace('.', '\\.')}(["'])`, 'g');
      const replaced = html.replace(reference, `$1${hashed}$2`);
      if (replaced !== html) referenced.add(plain);
      html = replaced;
    }
    await writeFile(join(options.outDir, page), html);
  }
  const unused = [...renames.keys()].filter((plain) => !referenced.has(plain));
  if (unused.length > 0) throw new Error(`no page in public/ references ${unused.join(', ')}`);
}
