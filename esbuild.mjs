// Bundles the extension (dist/) and, with --tests or --bench, the mocha suites
// and the benchmark (out/). Bundling the tests too lets them import ESM-only
// packages such as execa exactly the way the shipped extension does.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

function filesUnder(dir, suffix) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, suffix);
    return path.endsWith(suffix) ? [path] : [];
  });
}

const shared = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
};

const builds = [];
if (args.has('--tests')) {
  // A test file moved or removed must not keep running from an earlier build.
  rmSync('out/test', { recursive: true, force: true });
  builds.push({
    ...shared,
    // `*.child.ts`: scripts the tests run as processes of their own.
    entryPoints: [...filesUnder('test', '.test.ts'), ...filesUnder('test', '.child.ts'), ...filesUnder('test', 'index.ts')],
    outbase: 'test',
    outdir: 'out/test',
    // playwright-core (the UI-action tests drive chromium) is loaded from node_modules, not bundled.
    external: ['vscode', 'mocha', 'playwright-core'],
    sourcemap: 'inline',
  });
}
if (args.has('--bench')) {
  builds.push({ ...shared, entryPoints: ['bench/lifecycle.bench.ts'], outdir: 'out/bench', sourcemap: 'inline' });
}
if (builds.length === 0) {
  // A production bundle ships without a source map; drop one a development build left.
  if (production) rmSync('dist/extension.js.map', { force: true });
  builds.push({
    ...shared,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
  });
}

for (const options of builds) {
  if (watch) {
    const context = await esbuild.context(options);
    await context.watch();
  } else {
    await esbuild.build(options);
  }
}
