// Build the workbench into web/dist (flat): index.html, app.js, app.css and
// gzip copies (app.js.gz, app.css.gz) for the server to send to clients that
// accept gzip. No network, no CDN: everything is bundled by esbuild.
import { build } from 'esbuild';
import { mkdirSync, rmSync, readFileSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const dev = process.argv.includes('--dev');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: { app: join(root, 'src/main.jsx') },
  outdir: dist,
  bundle: true,
  format: 'iife',
  target: ['es2020'],
  minify: !dev,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  charset: 'utf8',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
  logLevel: 'warning',
});

copyFileSync(join(root, 'src/index.html'), join(dist, 'index.html'));

for (const f of readdirSync(dist)) {
  if (!/\.(js|css|html)$/.test(f)) continue;
  const data = readFileSync(join(dist, f));
  if (f === 'index.html') continue;
  writeFileSync(join(dist, f + '.gz'), gzipSync(data, { level: constants.Z_BEST_COMPRESSION }));
}

const sizes = readdirSync(dist).map((f) => `${f} ${readFileSync(join(dist, f)).length}`);
console.log('web/dist: ' + sizes.join(', '));
