// `npm run test:host`: runs the in-editor mocha suite (out/test/host/index.js)
// inside a real VS Code extension host, on a scratch git repository.
//
// Two launchers; TW_HOST=code-server or TW_HOST=electron picks one, and
// without it the first that works on this machine is used: desktop VS Code
// through @vscode/test-electron where there is a display and VS Code can be
// downloaded (or was before), otherwise code-server.
// - `code-server`: the offline one. code-server 4.100.3
//   serves the workbench, headless Debian chromium driven by playwright-core
//   opens it with the extension under development and the tests in its URL
//   payload, and the workbench reports the host's console and the suite's
//   exit code through the codeAutomationLog / codeAutomationExit hooks.
// - `electron`: @vscode/test-electron, which downloads VS Code, so it needs
//   the network (a laptop, a public CI).
//
// Isolation: the extension host, its terminals and the suite all get a fresh
// TMUX_TMPDIR, so the extension's `tmux -L tmux-workspaces` server is a private
// one (never the user's), killed and removed after the run. A git identity is
// set in the environment so the suite can commit in scratch repositories on a
// machine with no global git config.
//
// The process exits with the suite's exit code; non-zero on failure, timeout
// or interruption. Screenshots (and answers to the suite's page queries) land
// in artifacts/ (see test/host/screenshot.ts for the protocol), and
// artifacts/host-final.png when a code-server run fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCodeServer } from './code-server.mjs';
import { build, createGitRepo, repoRoot } from './util.mjs';

const TIMEOUT_MS = 5 * 60_000;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox', // root on CI
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT_REQUEST = /TW_SCREENSHOT ([\w-]+)/;
const PAGE_QUERY = /TW_QUERY ([\w-]+) (.+)$/;
// The extension's default tmux command (src/core/tmux/TmuxClient.ts).
const TMUX = ['tmux', '-L', 'tmux-workspaces'];
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Tmux Workspaces Tests',
  GIT_AUTHOR_EMAIL: 'tests@tmux-workspaces.invalid',
  GIT_COMMITTER_NAME: 'Tmux Workspaces Tests',
  GIT_COMMITTER_EMAIL: 'tests@tmux-workspaces.invalid',
};

const artifacts = join(repoRoot, 'artifacts');
const extensionTestsPath = join(repoRoot, 'out', 'test', 'host', 'index.js');

function log(message) {
  console.log(`[test:host] ${message}`);
}

/** Resolves with 130 on Ctrl-C or 143 on SIGTERM, so that cleanup still runs. */
const interrupted = new Promise((resolve) => {
  process.once('SIGINT', () => resolve(130));
  process.once('SIGTERM', () => resolve(143));
});

/** Kills the private tmux server (and with it every pane it runs), then removes its folder. */
function removeTmuxServer(tmuxTmpdir) {
  const env = { ...process.env, TMUX_TMPDIR: tmuxTmpdir };
  delete env.TMUX;
  const result = spawnSync(TMUX[0], [...TMUX.slice(1), 'kill-server'], { env, encoding: 'utf8' });
  const stderr = (result.stderr ?? '').trim();
  // No server (the suite never started one, or it exited) is fine.
  if (result.error) console.error(`[test:host] ${TMUX.join(' ')} kill-server: ${result.error.message}`);
  else if (result.status !== 0 && !/no server running|error connecting to/.test(stderr)) {
    console.error(`[test:host] ${TMUX.join(' ')} kill-server exited with ${result.status}: ${stderr}`);
  }
  rmSync(tmuxTmpdir, { recursive: true, force: true });
}

/** TW_HOST when set; else desktop VS Code if it can run here, else code-server. */
async function chooseHost() {
  const requested = process.env.TW_HOST;
  if (requested) {
    if (requested !== 'code-server' && requested !== 'electron') throw new Error(`TW_HOST must be code-server or electron, not ${requested}`);
    return requested;
  }
  // Desktop VS Code needs a display on Linux (a headless CI has none: code-server needs none).
  const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!display) return 'code-server';
  const { downloadAndUnzipVSCode } = (await import('@vscode/test-electron')).default;
  try {
    await downloadAndUnzipVSCode({ cachePath: join(repoRoot, '.vscode-test') });
    return 'electron';
  } catch (error) {
    log(`desktop VS Code is not available (${error.message}); using code-server`);
    return 'code-server';
  }
}

async function runWithTestElectron(folder, env) {
  const { runTests } = (await import('@vscode/test-electron')).default;
  try {
    return await runTests({
      // Also where a copy downloaded earlier is found again when offline.
      cachePath: join(repoRoot, '.vscode-test'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      launchArgs: [folder, '--disable-extensions'],
      extensionTestsEnv: env,
    });
  } catch (error) {
    console.error(`[test:host] ${error.message}`);
    return typeof error.code === 'number' && error.code !== 0 ? error.code : 1;
  }
}

async function runWithCodeServer(folder, env) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  const { chromium } = await import('playwright-core');
  const server = await startCodeServer({
    folder,
    logFile: join(artifacts, 'code-server.log'),
    env: { ...env, TW_SCREENSHOT_DIR: artifacts },
  });
  let browser;
  try {
    // Signals are left to `interrupted`: playwright's own handlers would exit
    // before code-server and the scratch folder are cleaned up.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      handleSIGINT: false,
      handleSIGTERM: false,
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    // Screenshots and page queries are answered one at a time, in the order they were requested.
    let requests = Promise.resolve();
    const capture = async (name) => {
      const path = join(artifacts, `${name}.png`);
      try {
        writeFileSync(`${path}.partial`, await page.screenshot());
        renameSync(`${path}.partial`, path);
        log(`screenshot ${path}`);
      } catch (error) {
        // The suite times out waiting for the PNG and reports the failure.
        console.error(`[test:host] screenshot ${name} failed: ${error.message}`);
      }
    };
    // The elements a CSS selector matches, as JSON, for queryPage() (same protocol).
    const answerQuery = async (name, selector) => {
      const path = join(artifacts, `${name}.json`);
      try {
        const elements = await page.$$eval(selector, (found) =>
          found.map((element) => ({
            label: element.getAttribute('aria-label'),
            level: element.getAttribute('aria-level'),
            expanded: element.getAttribute('aria-expanded'),
            text: element.textContent,
          })),
        );
        writeFileSync(`${path}.partial`, JSON.stringify(elements));
        renameSync(`${path}.partial`, path);
      } catch (error) {
        console.error(`[test:host] query ${name} failed: ${error.message}`);
      }
    };
    // The workbench calls codeAutomationLog(level, args) for its own log and
    // for the extension host's console; args are console.log's (printf-style).
    await page.exposeFunction('codeAutomationLog', (level, args) => {
      const line = Array.isArray(args) ? format(...args) : String(args);
      if (level === 'error' || level === 'warn') console.error(line);
      else console.log(line);
      const request = SCREENSHOT_REQUEST.exec(line);
      if (request) requests = requests.then(() => capture(request[1]));
      const query = PAGE_QUERY.exec(line);
      if (query) requests = requests.then(() => answerQuery(query[1], query[2]));
    });
    let reportExit;
    const suiteExit = new Promise((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationExit', (code) => reportExit(code));
    const crashed = new Promise((resolve) => page.on('crash', () => resolve('the page crashed')));

    const remote = (path) => `vscode-remote://${server.remoteAuthority}${pathToFileURL(path).pathname}`;
    const query = new URLSearchParams({
      folder,
      payload: JSON.stringify([
        ['extensionDevelopmentPath', remote(repoRoot)],
        ['extensionTestsPath', remote(extensionTestsPath)],
      ]),
    });
    log(`opening ${server.url} on ${folder}`);
    await page.goto(`${server.url}?${query}`, { waitUntil: 'domcontentloaded' });

    const outcome = await Promise.race([
      suiteExit,
      interrupted,
      sleep(TIMEOUT_MS).then(() => `no result within ${TIMEOUT_MS / 1000} s`),
      crashed,
      server.exited.then(() => 'code-server exited'),
    ]);
    const code = typeof outcome === 'number' ? outcome : 1;
    if (typeof outcome === 'string') console.error(`[test:host] ${outcome}`);
    if (code !== 0) {
      await page.screenshot({ path: join(artifacts, 'host-final.png'), timeout: 10_000 }).then(
        () => log(`final screenshot ${join(artifacts, 'host-final.png')}`),
        (error) => console.error(`[test:host] final screenshot failed: ${error.message}`),
      );
    }
    return code;
  } finally {
    await browser?.close();
    await server.stop();
  }
}

async function main() {
  await build({ tests: true });
  mkdirSync(artifacts, { recursive: true });
  rmSync(join(artifacts, 'host-final.png'), { force: true });
  const scratch = mkdtempSync(join(tmpdir(), 'tw-host-tests-'));
  // Its own folder, not inside `scratch`: a socket path must stay short.
  const tmuxTmpdir = mkdtempSync(join(tmpdir(), 'tw-host-tmux-'));
  const env = { ...GIT_IDENTITY, TMUX_TMPDIR: tmuxTmpdir };
  try {
    const folder = join(scratch, 'repo');
    await createGitRepo(folder);
    const started = Date.now();
    const electron = (await chooseHost()) === 'electron';
    log(`running ${extensionTestsPath} with ${electron ? '@vscode/test-electron' : 'code-server'}`);
    log(`private tmux server: TMUX_TMPDIR=${tmuxTmpdir}`);
    const code = electron ? await runWithTestElectron(folder, env) : await runWithCodeServer(folder, env);
    log(`exit code ${code} after ${Math.round((Date.now() - started) / 1000)} s`);
    return code;
  } finally {
    // After code-server has stopped: nothing can start the server again.
    removeTmuxServer(tmuxTmpdir);
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`[test:host] ${error.stack ?? error}`);
  process.exitCode = 1;
}
// Exit explicitly: the pending overall timeout, or any handle a library left
// open, must not keep CI waiting.
process.exit();
