// Build the workbench into web/dist (flat): index.html, app.js, app.css,
// licenses.txt and gzip copies (app.js.gz, app.css.gz, licenses.txt.gz) for the
// server to send to clients that accept gzip. No network, no CDN: everything is
// bundled by esbuild. The bundle drops the libraries' license comments, so
// licenses.txt carries the license files (LICENSE, NOTICE, licenses/*) of every
// package that went into it (ECharts and its zrender and tslib, Preact).

import { build } from 'esbuild';
import { mkdirSync, rmSync, readFileSync, writeFileSync, copyFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const dev = process.argv.includes('--dev');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const result = await build({
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
  metafile: true,
});

// The packages in the bundle (from esbuild's list of its inputs), each with its license files.
function bundledPackages(meta) {
  const names = new Set();
  for (const f of Object.keys(meta.inputs)) {
    const m = f.match(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}
function licenseFiles(dir) {
  const out = readdirSync(dir).filter((f) => /^(licen[cs]e|notice|copying)(\.(txt|md))?$/i.test(f)).sort().map((f) => join(dir, f));
  const sub = join(dir, 'licenses');
  if (existsSync(sub) && statSync(sub).isDirectory()) out.push(...readdirSync(sub).sort().map((f) => join(sub, f)));
  return out;
}
function licensesText(packages) {
  const rule = '='.repeat(72);
  let text = 'jiesu 接诉即办工作台 (the web workbench) bundles these open-source packages.\n'
    + '工作台的脚本包含以下开源软件，其许可证和声明如下。\n\n'
    + packages.map((p) => {
      const pkg = JSON.parse(readFileSync(join(root, 'node_modules', p, 'package.json'), 'utf8'));
      return `  ${p} ${pkg.version} (${pkg.license || 'see below'})`;
    }).join('\n') + '\n';
  for (const p of packages) {
    const dir = join(root, 'node_modules', p);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const files = licenseFiles(dir);
    if (!files.length) throw new Error(`build: ${p} is in the bundle but has no LICENSE file`);
    for (const f of files) {
      text += `\n\n${rule}\n${p} ${pkg.version}: ${f.slice(dir.length + 1)}\n${rule}\n\n${readFileSync(f, 'utf8').trim()}\n`;
    }
  }
  return text;
}
const packages = bundledPackages(result.metafile);
for (const p of ['echarts', 'preact']) if (!packages.includes(p)) throw new Error(`build: ${p} is not in the bundle?`);
writeFileSync(join(dist, 'licenses.txt'), licensesText(packages));

copyFileSync(join(root, 'src/index.html'), join(dist, 'index.html'));

for (const f of readdirSync(dist)) {
  if (!/\.(js|css|html|txt)$/.test(f)) continue;
  const data = readFileSync(join(dist, f));
  if (f === 'index.html') continue;
  writeFileSync(join(dist, f + '.gz'), gzipSync(data, { level: constants.Z_BEST_COMPRESSION }));
}

const sizes = readdirSync(dist).map((f) => `${f} ${readFileSync(join(dist, f)).length}`);
console.log('web/dist: ' + sizes.join(', '));
