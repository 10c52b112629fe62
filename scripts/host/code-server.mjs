// Starts and stops an offline code-server: a real VS Code workbench served
// over HTTP whose extension host is a Node process on this machine. Shared by
// run-host-tests.mjs (headless test runs) and start.mjs (`npm start`).
import { execa } from 'execa';
import { closeSync, mkdirSync, openSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { installCodeServer } from './install-code-server.mjs';

const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 60_000;

// A quiet, offline workbench: no walkthrough over the editor area, no
// telemetry notice, no update checks against a gallery that can't be reached.
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
};

/** Resolves with `preferred` when it is free on 127.0.0.1, else with a port the kernel picks. */
export function freePort(preferred = 0) {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on('error', (error) => {
      if (preferred && error.code === 'EADDRINUSE') resolvePromise(freePort());
      else reject(error);
    });
    server.listen(preferred, HOST, () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

/** The workbench's configuration is an HTML-escaped JSON attribute of a meta tag. */
function readWorkbenchConfiguration(html) {
  const match = /<meta\s+id="vscode-workbench-web-configuration"\s+data-settings="([^"]*)"/.exec(html);
  if (!match) return undefined;
  const json = match[1]
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
  return JSON.parse(json);
}

/**
 * Starts code-server (installing it first if needed) with a fresh user-data
 * and extensions folder, and waits until it serves the workbench.
 *
 * @param {object} options
 * @param {string} options.folder   folder the workbench opens by default
 * @param {number} [options.port]   port on 127.0.0.1; a free one when omitted
 * @param {string} [options.logFile] where its output goes; inherited when omitted
 * @param {Record<string, string>} [options.env] extra environment; the
 *   extension host is forked by the server and inherits it
 * @returns {Promise<{ url: string, remoteAuthority: string, exited: Promise<void>, stop: () => Promise<void> }>}
 *   `exited` settles when code-server ends on its own (or by stop()).
 */
export async function startCodeServer({ folder, port, logFile, env = {} }) {
  const binary = await installCodeServer();
  port ??= await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), 'tw-code-server-'));
  mkdirSync(join(stateDir, 'user-data', 'User'), { recursive: true });
  writeFileSync(join(stateDir, 'user-data', 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const args = [
    '--bind-addr', `${HOST}:${port}`,
    '--auth', 'none',
    // Its own config file, or it writes a default one into ~/.config.
    '--config', join(stateDir, 'config.yaml'),
    '--user-data-dir', join(stateDir, 'user-data'),
    '--extensions-dir', join(stateDir, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    folder,
  ];
  // detached: its own process group, so that stop() also ends the extension
  // host, pty host and file watcher it forks, which otherwise linger.
  // One descriptor for both streams, so that their lines stay in order.
  const output = logFile ? openSync(logFile, 'w') : 'inherit';
  const child = execa(binary, args, {
    detached: true,
    stdin: 'ignore',
    stdout: output,
    stderr: output,
    reject: false,
    // An empty gallery turns the marketplace (open-vsx.org) off instead of
    // logging ENOTFOUND stacks while tests run.
    env: { EXTENSIONS_GALLERY: '{}', ...env },
  });
  let exited = false;
  const exit = child.then(() => {
    exited = true;
    if (typeof output === 'number') closeSync(output);
  });
  // A safety net for a parent that exits without calling stop().
  const killOnExit = () => killGroup('SIGKILL');
  process.on('exit', killOnExit);

  function killGroup(signal) {
    if (exited) return;
    try {
      process.kill(-child.pid, signal);
    } catch (error) {
      if (error.code !== 'ESRCH') throw error;
    }
  }

  async function stop() {
    process.off('exit', killOnExit);
    killGroup('SIGTERM');
    await Promise.race([exit, sleep(5_000, undefined, { ref: false })]);
    killGroup('SIGKILL');
    await exit;
    rmSync(stateDir, { recursive: true, force: true });
  }

  const url = `http://${HOST}:${port}/`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  try {
    for (;;) {
      if (exited) throw new Error(`code-server exited during startup${logFile ? ` (see ${logFile})` : ''}`);
      if (Date.now() > deadline) throw new Error(`code-server did not serve ${url} within ${STARTUP_TIMEOUT_MS / 1000} s`);
      const html = await fetch(url).then((response) => (response.ok ? response.text() : ''), () => '');
      const configuration = readWorkbenchConfiguration(html);
      if (configuration?.remoteAuthority) {
        return { url, remoteAuthority: configuration.remoteAuthority, exited: exit, stop };
      }
      await sleep(250);
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
