// `npm run test:host`: runs the in-editor mocha suite (out/test/host/index.js)
// inside a real VS Code extension host, on a scratch git repository.
//
// Two launchers, chosen by TW_HOST:
// - unset or `code-server` (default): the offline one. code-server 4.100.3
//   serves the workbench, headless Debian chromium driven by playwright-core
//   opens it with the extension under development and the tests in its URL
//   payload, and the workbench reports the host's console and the suite's
//   exit code through the codeAutomationLog / codeAutomationExit hooks.
// - `electron`: @vscode/test-electron, which downloads VS Code, so it needs
//   the network (a laptop, a public CI).
//
// The process exits with the suite's exit code; non-zero on failure, timeout
// or interruption. Screenshots land in artifacts/ (see test/host/screenshot.ts
// for the protocol), and artifacts/host-final.png when a code-server run fails.
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

async function runWithTestElectron(folder) {
  const { runTests } = (await import('@vscode/test-electron')).default;
  try {
    return await runTests({
      // Also where a copy downloaded earlier is found again when offline.
      cachePath: join(repoRoot, '.vscode-test'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      launchArgs: [folder, '--disable-extensions'],
    });
  } catch (error) {
    console.error(`[test:host] ${error.message}`);
    return typeof error.code === 'number' && error.code !== 0 ? error.code : 1;
  }
}

async function runWithCodeServer(folder) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  const { chromium } = await import('playwright-core');
  const server = await startCodeServer({
    folder,
    logFile: join(artifacts, 'code-server.log'),
    env: { TW_SCREENSHOT_DIR: artifacts },
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

    // Screenshots are taken one at a time, in the order they were requested.
    let screenshots = Promise.resolve();
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
    // The workbench calls codeAutomationLog(level, args) for its own log and
    // for the extension host's console; args are console.log's (printf-style).
    await page.exposeFunction('codeAutomationLog', (level, args) => {
      const line = Array.isArray(args) ? format(...args) : String(args);
      if (level === 'error' || level === 'warn') console.error(line);
      else console.log(line);
      const request = SCREENSHOT_REQUEST.exec(line);
      if (request) screenshots = screenshots.then(() => capture(request[1]));
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
  try {
    const folder = join(scratch, 'repo');
    await createGitRepo(folder);
    const started = Date.now();
    const host = process.env.TW_HOST || 'code-server';
    if (host !== 'code-server' && host !== 'electron') throw new Error(`TW_HOST must be code-server or electron, not ${host}`);
    const electron = host === 'electron';
    log(`running ${extensionTestsPath} with ${electron ? '@vscode/test-electron' : 'code-server'}`);
    const code = electron ? await runWithTestElectron(folder) : await runWithCodeServer(folder);
    log(`exit code ${code} after ${Math.round((Date.now() - started) / 1000)} s`);
    return code;
  } finally {
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
