import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await execa('git', args, { cwd })).stdout;
}

/** A real repository with one commit on `main`, inside a fresh temporary folder. */
export async function makeRepo(folderName = 'repo'): Promise<{ root: string; repo: string; cleanup(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'tw-git-'));
  const repo = join(root, folderName);
  await mkdir(repo, { recursive: true });
  await git(repo, 'init', '-q', '-b', 'main');
  await git(repo, 'config', 'user.email', 'test@example.com');
  await git(repo, 'config', 'user.name', 'Test');
  await git(repo, 'config', 'commit.gpgsign', 'false');
  await writeFile(join(repo, 'README.md'), '# demo\n');
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-q', '-m', 'initial');
  return { root, repo, cleanup: () => rm(root, { recursive: true, force: true }) };
}
