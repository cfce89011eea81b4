// The page's files: web/ of the package (plain ES modules and CSS, no build step) and uPlot's dist
// files from node_modules. Only files that exist at start are served (a fixed table, no path walking).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

export interface StaticFile {
  type: string;
  body: Buffer;
}

/** The package's web/ directory, searched upwards from this module (works from src/ and dist/src/). */
export function webRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'web');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find web/index.html above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function walk(dir: string, prefix: string, out: Map<string, StaticFile>): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, `${prefix}${name}/`, out);
    else if (TYPES[extname(name)]) out.set(`/${prefix}${name}`, { type: TYPES[extname(name)], body: readFileSync(p) });
  }
}

/** url path → file, read once at start. */
export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  walk(webRoot(), '', files);
  const require = createRequire(import.meta.url);
  const uplotDir = dirname(require.resolve('uplot/dist/uPlot.esm.js'));
  files.set('/vendor/uPlot.esm.js', { type: TYPES['.js'], body: readFileSync(join(uplotDir, 'uPlot.esm.js')) });
  files.set('/vendor/uPlot.min.css', { type: TYPES['.css'], body: readFileSync(join(uplotDir, 'uPlot.min.css')) });
  return files;
}
