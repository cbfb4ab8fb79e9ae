import { createHash } from 'node:crypto';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Options of {@link finishBrowserBuild}. */
export interface FinishBrowserBuildOptions {
  /** Static files to ship as they are (index.html, styles.css, ...). */
  publicDir: string;
  /** Where tsup wrote the hashed `app-<hash>.js`. */
  outDir: string;
}

// Assets get a content hash in their name so the static handler can let browsers cache them for
// a year; only index.html (no-cache) names them, so one new deploy is one new index.html.
const HASHED_PUBLIC_EXTENSIONS = new Set(['.css']);

function contentHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 8).toUpperCase();
}

/** Copies public/ into the bundle's directory, hashing stylesheets and pointing index.html at the hashed names. */
export async function finishBrowserBuild(options: FinishBrowserBuildOptions): Promise<void> {
  const renames = new Map<string, string>();
  const outFiles = await readdir(options.outDir);
  const bundle = outFiles.find((name) => /^app-[A-Za-z0-9]{8}\.js$/.test(name));
  if (!bundle) throw new Error(`no app-<hash>.js in ${options.outDir}; did esbuild change its entry names?`);
  renames.set('app.js', bundle);

  for (const entry of await readdir(options.publicDir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'index.html') continue;
    const source = join(options.publicDir, entry.name);
    const extension = extname(entry.name);
    if (!HASHED_PUBLIC_EXTENSIONS.has(extension)) {
      await copyFile(source, join(options.outDir, entry.name));
      continue;
    }
    const body = await readFile(source);
    const hashed = `${entry.name.slice(0, -extension.length)}-${contentHash(body)}${extension}`;
    await writeFile(join(options.outDir, hashed), body);
    renames.set(entry.name, hashed);
  }

  let html = await readFile(join(options.publicDir, 'index.html'), 'utf8');
  for (const [plain, hashed] of renames) {
    const reference = new RegExp(`(["'/])${plain.replace('.', '\\.')}(["'])`, 'g');
    const replaced = html.replace(reference, `$1${hashed}$2`);
    if (replaced === html) throw new Error(`public/index.html does not reference ${plain}`);
    html = replaced;
  }
  await writeFile(join(options.outDir, 'index.html'), html);
}
