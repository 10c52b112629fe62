import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitClient } from './GitClient';

/**
 * The folders of a repository's worktrees, asked of git (`worktree list`)
 * only when they may have changed: git keeps one entry per linked worktree
 * under `<repo>/.git/worktrees/`, so adding, removing or pruning one changes
 * that folder, and moving one rewrites its entry's `gitdir`. Between such
 * changes the answer is kept, so the periodic reconcile costs no process.
 * A repository whose `.git` is not a folder is asked every time.
 */
export class WorktreePaths {
  private readonly known = new Map<string, { readonly stamp: string; readonly paths: readonly string[] }>();

  constructor(private readonly git: GitClient) {}

  async of(repo: string): Promise<readonly string[]> {
    const stamp = await this.stamp(repo);
    const kept = stamp === undefined ? undefined : this.known.get(repo);
    if (kept && kept.stamp === stamp) return kept.paths;
    const paths = (await this.git.listWorktrees(repo)).map((worktree) => worktree.path);
    if (stamp !== undefined) this.known.set(repo, { stamp, paths });
    return paths;
  }

  /** What changes when the set of worktrees does; undefined when it cannot be read without git. */
  private async stamp(repo: string): Promise<string | undefined> {
    const gitDir = join(repo, '.git');
    const info = await statIfThere(gitDir);
    if (!info?.isDirectory()) return undefined;
    const folder = join(gitDir, 'worktrees');
    const top = await statIfThere(folder);
    // No linked worktree yet: the folder appears with the first one.
    if (!top) return 'none';
    const entries = (await readdir(folder)).sort();
    const times = await Promise.all(entries.map(async (entry) => (await statIfThere(join(folder, entry, 'gitdir')))?.mtimeMs ?? 0));
    return `${top.mtimeMs}:${entries.join('/')}:${times.join(',')}`;
  }
}

/** The file's stat, or undefined when it is not there; any other failure is thrown. */
async function statIfThere(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
