// `npm start`: builds the extension and opens an Extension Development Host on
// a demo git repository (.vscode-test/demo-repo, made on first run).
//
// - With desktop VS Code (`code` on PATH): `code --extensionDevelopmentPath`.
// - Otherwise (or with TW_HOST=code-server): the offline code-server on
//   127.0.0.1:PORT (PORT from the environment, else 8080 when free, else any
//   free port). It prints the URL to open and runs until Ctrl-C.
//
// Run `npm run watch` beside it and reload the window to pick up changes.
// POSIX only, like tmux itself.
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, startCodeServer } from './code-server.mjs';
import { build, createGitRepo, repoRoot, run } from './util.mjs';

const demoRepo = join(repoRoot, '.vscode-test', 'demo-repo');

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
  const server = await startCodeServer({ folder: demoRepo, port });
  const developmentPath = `vscode-remote://${server.remoteAuthority}${pathToFileURL(repoRoot).pathname}`;
  const query = new URLSearchParams({
    folder: demoRepo,
    payload: JSON.stringify([['extensionDevelopmentPath', developmentPath]]),
  });
  log(`Extension Development Host: ${server.url}?${query}`);
  log('press Ctrl-C to stop');
  // code-server runs in its own process group, so Ctrl-C reaches only this
  // process: stop the group here.
  const reason = await Promise.race([
    new Promise((resolve) => process.once('SIGINT', () => resolve('interrupted'))),
    new Promise((resolve) => process.once('SIGTERM', () => resolve('terminated'))),
    server.exited.then(() => 'code-server exited'),
  ]);
  log(`${reason}, stopping`);
  await server.stop();
  return reason === 'code-server exited' ? 1 : 0;
}

async function main() {
  await build({ tests: false });
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
