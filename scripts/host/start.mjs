// `npm start`: builds the extension and opens an Extension Development Host on
// a demo git repository (.vscode-test/demo-repo, made on first run).
//
// - With desktop VS Code (`code` on PATH): `code --extensionDevelopmentPath`.
// - Otherwise (or with TW_HOST=code-server): the offline code-server on
//   127.0.0.1:PORT (PORT from the environment, else 8080 when free, else any
//   free port). Its log goes to .vscode-test/code-server.log; the URL to open
//   is printed last, once it serves, and it runs until Ctrl-C.
//
// Any of SIGINT, SIGTERM or SIGHUP, at any moment (even while building or
// while code-server starts), stops code-server and everything it forked: it
// runs in a process group of its own, which is ended as a whole. package.json
// runs this script with `exec`, so that the signal npm forwards to its child
// reaches this process rather than an intermediate `sh`; a signal npm does
// not forward ends npm, and this process stops when it sees its parent gone.
//
// Run `npm run watch` beside it and reload the window to pick up changes.
// POSIX only, like tmux itself.
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, startCodeServer } from './code-server.mjs';
import { build, createGitRepo, repoRoot, run } from './util.mjs';

const demoRepo = join(repoRoot, '.vscode-test', 'demo-repo');
const codeServerLog = join(repoRoot, '.vscode-test', 'code-server.log');

/**
 * Resolves with the name of the first stop signal received, installed first
 * thing; or when the parent (npm) is gone: npm does not forward every signal
 * (SIGHUP kills it alone), and this process is then reparented.
 */
const stopSignal = new Promise((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => resolve(signal));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) resolve('the parent process exited');
  }, 250).unref();
});

function log(message) {
  console.log(`[start] ${message}`);
}

/** The absolute path of an executable on PATH, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

async function openInCodeServer() {
  const port = process.env.PORT ? Number(process.env.PORT) : await freePort(8080);
  const starting = startCodeServer({ folder: demoRepo, port, logFile: codeServerLog });
  const early = await Promise.race([starting.then(() => undefined), stopSignal]);
  const server = await starting;
  if (early) {
    log(`${early} while code-server was starting, stopping`);
    await server.stop();
    return 0;
  }
  const developmentPath = `vscode-remote://${server.remoteAuthority}${pathToFileURL(repoRoot).pathname}`;
  const query = new URLSearchParams({
    folder: demoRepo,
    payload: JSON.stringify([['extensionDevelopmentPath', developmentPath]]),
  });
  console.log([
    '',
    '============================================================',
    `Tmux Workspaces is running: ${server.url}?${query}`,
    '  (Ctrl+C to stop)',
    `  code-server's log: ${codeServerLog}`,
    '============================================================',
    '',
  ].join('\n'));
  // code-server runs in its own process group, so Ctrl-C reaches only this
  // process: stop the group here.
  const reason = await Promise.race([stopSignal, server.exited.then(() => 'code-server exited')]);
  log(`${reason}, stopping`);
  await server.stop();
  return reason === 'code-server exited' ? 1 : 0;
}

async function main() {
  const built = await Promise.race([build({ tests: false }).then(() => undefined), stopSignal]);
  if (built) return 0;
  if (!existsSync(join(demoRepo, '.git'))) {
    await createGitRepo(demoRepo, { branches: ['feature/demo'] });
    log(`created the demo repository ${demoRepo}`);
  }
  const code = process.env.TW_HOST === 'code-server' ? undefined : onPath('code');
  if (code) {
    log(`opening ${demoRepo} in VS Code`);
    await run([code, `--extensionDevelopmentPath=${repoRoot}`, demoRepo]);
    return 0;
  }
  return openInCodeServer();
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`[start] ${error.stack ?? error}`);
  process.exitCode = 1;
}
