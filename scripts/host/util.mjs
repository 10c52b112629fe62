// Helpers shared by the host scripts: the repository root, running a command
// from an argv array, building, and making scratch git repositories to open.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs argv[0] with the rest as arguments; rejects on a non-zero exit. */
export function run(argv, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', cwd: repoRoot, ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${argv.join(' ')} exited with ${signal ?? code}`));
    });
  });
}

/** Bundles the extension and, with tests=true, the test suites into out/test/. */
export async function build({ tests }) {
  await run([process.execPath, 'esbuild.mjs']);
  if (tests) await run([process.execPath, 'esbuild.mjs', '--tests']);
}

/** True when the script was started directly (`node file.mjs`), not imported. */
export function isMain(importMetaUrl) {
  return Boolean(process.argv[1]) && resolve(process.argv[1]) === fileURLToPath(importMetaUrl);
}

/**
 * Creates a git repository in `dir` (new or empty) with a README
 * committed on `main` and one more branch per name in `branches`. The
 * identity is passed per command so that no global git config is needed.
 */
export async function createGitRepo(dir, { branches = [] } = {}) {
  mkdirSync(dir, { recursive: true });
  const git = (...args) =>
    run(['git', '-c', 'user.name=Tmux Workspaces', '-c', 'user.email=dev@tmux-workspaces.invalid', ...args], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  writeFileSync(join(dir, 'README.md'), '# Scratch repository\n\nOpened by the Tmux Workspaces host scripts.\n');
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', 'README.md');
  await git('commit', '--quiet', '-m', 'Initial commit');
  for (const branch of branches) await git('branch', branch);
}
