// Installs code-server (a real VS Code workbench + Node extension host served
// over HTTP) into .vscode-test/code-server/, with its own package.json so that
// its ~300 MB never touch the extension's dependencies. Idempotent: a marker
// file records the installed version and a second call returns at once.
//
// Usage as a CLI:  node scripts/host/install-code-server.mjs
// Usage as a module: `await installCodeServer()` resolves to the binary's path.
//
// Why these settings (see shared/design/vscode-host.md):
// - 4.100.3 is the last code-server that runs on Node 20 (VS Code 1.100.3).
// - Its postinstall refuses to run as root unless npm_config_unsafe_perm=true.
// - node-pty's postinstall runs `npx node-gyp`, which waits for a "y" on a tty
//   that CI does not have unless npm_config_yes=true.
// - @vscode/ripgrep downloads `rg` from GitHub; this machine is offline, so its
//   download cache is seeded with Debian's /usr/bin/rg first.
// - Building `kerberos` needs Debian's libkrb5-dev, g++, make, python3 and
//   pkg-config; installing those is .ci/run's job, not this script's.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMain, repoRoot, run } from './util.mjs';

export const CODE_SERVER_VERSION = '4.100.3';

// The @vscode/ripgrep release code-server 4.100.3 pulls in, and the rg asset
// name it asks for; its postinstall looks in os.tmpdir() before downloading.
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET_VERSION = 'v13.0.0-10';
const RIPGREP_TARGETS = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' };

const installDir = join(repoRoot, '.vscode-test', 'code-server');
const marker = join(installDir, '.installed-version');

export function codeServerBinary() {
  return join(installDir, 'node_modules', '.bin', 'code-server');
}

function log(message) {
  console.log(`[code-server] ${message}`);
}

async function seedRipgrepCache() {
  if (!existsSync('/usr/bin/rg')) {
    throw new Error('/usr/bin/rg is missing: install Debian\'s ripgrep (apt-get install -y ripgrep)');
  }
  const target = RIPGREP_TARGETS[process.arch];
  if (process.platform !== 'linux' || !target) {
    throw new Error(`no ripgrep cache seeding for ${process.platform}/${process.arch}`);
  }
  const cacheDir = join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const archive = join(cacheDir, `ripgrep-${RIPGREP_ASSET_VERSION}-${target}.tar.gz`);
  if (existsSync(archive)) return;
  mkdirSync(cacheDir, { recursive: true });
  await run(['tar', 'czf', archive, '-C', '/usr/bin', 'rg']);
  log(`seeded ${archive} from /usr/bin/rg`);
}

export async function installCodeServer() {
  const binary = codeServerBinary();
  if (existsSync(binary) && existsSync(marker) && readFileSync(marker, 'utf8').trim() === CODE_SERVER_VERSION) {
    return binary;
  }
  const started = Date.now();
  log(`installing code-server@${CODE_SERVER_VERSION} into ${installDir} (about a minute)`);
  await seedRipgrepCache();
  mkdirSync(installDir, { recursive: true });
  writeFileSync(
    join(installDir, 'package.json'),
    `${JSON.stringify({ private: true, description: 'code-server for host tests', dependencies: { 'code-server': CODE_SERVER_VERSION } }, null, 2)}\n`,
  );
  // npm 11 warns "Unknown env config unsafe-perm" but code-server's
  // postinstall.sh reads the variable itself; it is still needed.
  await run(['npm', 'install', '--no-audit', '--no-fund', '--no-package-lock'], {
    cwd: installDir,
    env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
  });
  if (!existsSync(binary)) throw new Error(`npm install finished but ${binary} is missing`);
  writeFileSync(marker, `${CODE_SERVER_VERSION}\n`);
  log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

if (isMain(import.meta.url)) {
  try {
    log(`ready: ${await installCodeServer()}`);
  } catch (error) {
    console.error(`[code-server] install failed: ${error.message}`);
    process.exit(1);
  }
}
