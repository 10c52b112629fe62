// `npm run test:host`: runs the in-editor suites inside real VS Code extension
// hosts, each on a scratch git repository with its own private tmux server:
// - one window: out/test/host/index.js in one extension host;
// - two windows: two pages of one code-server in one browser context, so two
//   extension hosts sharing one globalState, running
//   out/test/host/two-windows/window{A,B}.index.js, which meet at barriers in
//   a shared folder (TW_BARRIER_DIR; test/host/two-windows/barrier.ts).
//   Always code-server: one test-electron run cannot give two windows.
// TW_HOST_SUITES=one-window or TW_HOST_SUITES=two-windows runs just one.
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
// The process exits non-zero when any suite (or either window) fails, times
// out or is interrupted. Screenshots (and answers to the suites' page queries
// and UI actions) land in artifacts/ (see test/host/screenshot.ts and
// test/host/ui.ts for the protocol), and
// artifacts/host-final.png (host-final-a/-b.png for the two windows) when a
// code-server run fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCodeServer } from './code-server.mjs';
import { openSuitePage } from './suite-page.mjs';
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
// The two-window suite: one entry per window (test/host/two-windows/).
const TWO_WINDOWS = ['A', 'B'].map((tag) => ({ tag, testsPath: join(repoRoot, 'out', 'test', 'host', 'two-windows', `window${tag}.index.js`) }));
// TW_HOST_SUITES=one-window or two-windows runs one of them (both by default).
const SUITES = ['one-window', 'two-windows'];

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

/**
 * One code-server, one browser context, one page per window; each window runs
 * its own suite. Resolves with 0 when every suite passed, else non-zero.
 *
 * @param {string} folder   the folder every window opens
 * @param {Record<string, string>} env  code-server's (and so every extension host's) extra environment
 * @param {{ tag?: string, testsPath: string, plainWindow?: boolean }[]} windows  plainWindow: open the
 *   plain window the UI walk drives (suite-page.mjs) beside it, so that it loads meanwhile
 */
async function runWithCodeServer(folder, env, windows) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  const { chromium } = await import('playwright-core');
  const logName = windows.length > 1 ? 'code-server-two-windows.log' : 'code-server.log';
  const server = await startCodeServer({
    folder,
    logFile: join(artifacts, logName),
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
    // One context: its pages share the workbench's storage, as windows of one editor do.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const opened = [];
    for (const { tag, testsPath, plainWindow } of windows) {
      opened.push({ tag, ...(await openSuitePage(context, server, { folder, developmentPath: repoRoot, testsPath, artifacts, tag, plainWindow })) });
    }
    const stopped = Promise.race([
      interrupted,
      sleep(TIMEOUT_MS).then(() => `no result within ${TIMEOUT_MS / 1000} s`),
      server.exited.then(() => 'code-server exited'),
    ]);
    const codes = await Promise.all(opened.map(async ({ tag, page, outcome }) => {
      const result = await Promise.race([outcome, stopped]);
      const code = typeof result === 'number' ? result : 1;
      const who = tag ? `window ${tag}: ` : '';
      if (typeof result === 'string') console.error(`[test:host] ${who}${result}`);
      if (code !== 0) {
        const path = join(artifacts, `host-final${tag ? `-${tag.toLowerCase()}` : ''}.png`);
        await page.screenshot({ path, timeout: 10_000 }).then(
          () => log(`${who}final screenshot ${path}`),
          (error) => console.error(`[test:host] ${who}final screenshot failed: ${error.message}`),
        );
      }
      return code;
    }));
    return codes.find((code) => code !== 0) ?? 0;
  } finally {
    await browser?.close();
    await server.stop();
  }
}

/**
 * Runs one suite on a fresh scratch folder with its own private tmux server
 * (and, under code-server, its own code-server: a fresh globalState).
 * `prepare(scratch, env)` may add folders and environment for the suite.
 */
async function runSuite(name, run, prepare = () => undefined) {
  const scratch = mkdtempSync(join(tmpdir(), 'tw-host-tests-'));
  // Its own folder, not inside `scratch`: a socket path must stay short.
  const tmuxTmpdir = mkdtempSync(join(tmpdir(), 'tw-host-tmux-'));
  const env = { ...GIT_IDENTITY, TMUX_TMPDIR: tmuxTmpdir };
  try {
    const folder = join(scratch, 'repo');
    await createGitRepo(folder);
    prepare(scratch, env);
    const started = Date.now();
    log(`${name}: private tmux server: TMUX_TMPDIR=${tmuxTmpdir}`);
    const code = await run(folder, env);
    log(`${name}: exit code ${code} after ${Math.round((Date.now() - started) / 1000)} s`);
    return code;
  } finally {
    // After code-server has stopped: nothing can start the server again.
    removeTmuxServer(tmuxTmpdir);
    rmSync(scratch, { recursive: true, force: true });
  }
}

function chosenSuites() {
  const requested = process.env.TW_HOST_SUITES ? process.env.TW_HOST_SUITES.split(',') : SUITES;
  const unknown = requested.filter((suite) => !SUITES.includes(suite));
  if (unknown.length > 0) throw new Error(`TW_HOST_SUITES takes ${SUITES.join(', ')}; not ${unknown.join(', ')}`);
  return requested;
}

async function main() {
  const suites = chosenSuites();
  await build({ tests: true });
  mkdirSync(artifacts, { recursive: true });
  for (const name of ['host-final', 'host-final-a', 'host-final-b']) rmSync(join(artifacts, `${name}.png`), { force: true });
  const codes = [];
  if (suites.includes('one-window')) {
    const electron = (await chooseHost()) === 'electron';
    log(`one window: running ${extensionTestsPath} with ${electron ? '@vscode/test-electron' : 'code-server'}`);
    codes.push(await runSuite('one window', (folder, env) =>
      electron ? runWithTestElectron(folder, env) : runWithCodeServer(folder, env, [{ testsPath: extensionTestsPath, plainWindow: true }])));
  }
  if (suites.includes('two-windows')) {
    // Always code-server: two pages of one browser context are two extension
    // hosts sharing one globalState, which one test-electron run cannot give.
    log('two windows: two pages of one code-server, one role each (test/host/two-windows/)');
    codes.push(await runSuite('two windows', (folder, env) => runWithCodeServer(folder, env, TWO_WINDOWS), (scratch, env) => {
      // Where the windows meet before each step (test/host/two-windows/barrier.ts).
      env.TW_BARRIER_DIR = join(scratch, 'barrier');
      mkdirSync(env.TW_BARRIER_DIR);
    }));
  }
  return codes.find((code) => code !== 0) ?? 0;
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
