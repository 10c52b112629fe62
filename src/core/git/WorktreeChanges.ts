import type { GitClient } from './GitClient';

export type FileChangeKind = 'added' | 'modified' | 'deleted' | 'renamed' | 'untracked';

/** One file that differs between a workspace's base and its worktree. */
export interface ChangedFile {
  /** Relative to the worktree, `/`-separated, as git prints it. */
  readonly path: string;
  /** A rename's old path. */
  readonly oldPath?: string;
  readonly kind: FileChangeKind;
  readonly added: number;
  readonly removed: number;
  /** git cannot count lines of a binary file. */
  readonly binary: boolean;
}

/**
 * What a workspace changed against its base: every commit on its branch since
 * the merge base, plus what is not committed yet (tracked edits and untracked
 * files), which is what the user would merge.
 */
export interface WorktreeChangeSet {
  /** The commit the changes are counted from (the merge base, or HEAD without one). */
  readonly baseCommit: string;
  readonly files: readonly ChangedFile[];
  readonly added: number;
  readonly removed: number;
  /** Uncommitted or untracked files exist. */
  readonly dirty: boolean;
  /** A merge or rebase stopped half way on conflicts (`Landing.operationInProgress`), when asked. */
  readonly inProgress?: 'merge' | 'rebase';
}

const KINDS: Record<string, FileChangeKind> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'added', T: 'modified' };

/** The change set of a worktree against `base`, in four git reads (the merge base, then three at once). */
export async function worktreeChanges(git: GitClient, worktree: string, base: string): Promise<WorktreeChangeSet> {
  const baseCommit = (await git.tryRead(worktree, ['merge-base', base, 'HEAD']))?.trim() || (await git.read(worktree, ['rev-parse', 'HEAD'])).trim();
  const [numstat, nameStatus, status] = await Promise.all([
    git.read(worktree, ['diff', '--numstat', '-z', '-M', baseCommit, '--']),
    git.read(worktree, ['diff', '--name-status', '-z', '-M', baseCommit, '--']),
    git.read(worktree, ['status', '--porcelain', '-z', '--untracked-files=all', '--ignore-submodules=none']),
  ]);
  const counts = parseNumstat(numstat);
  const files: ChangedFile[] = parseNameStatus(nameStatus).map((file) => {
    const count = counts.get(file.path);
    return { ...file, added: count?.added ?? 0, removed: count?.removed ?? 0, binary: count?.binary ?? false };
  });
  const entries = statusEntries(status);
  for (const entry of entries.filter((candidate) => candidate.code === '??')) {
    files.push({ path: entry.path, kind: 'untracked', added: 0, removed: 0, binary: false });
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseCommit,
    files,
    added: files.reduce((sum, file) => sum + file.added, 0),
    removed: files.reduce((sum, file) => sum + file.removed, 0),
    dirty: entries.length > 0,
  };
}

/** A file's text at `commit` (the left side of its diff); empty when the file did not exist there. */
export async function textAt(git: GitClient, worktree: string, commit: string, path: string): Promise<string> {
  if (!/^[0-9a-f]{4,64}$/.test(commit)) throw new Error(`not a commit id: ${commit}`);
  return (await git.tryRead(worktree, ['show', `${commit}:${path}`], { exact: true })) ?? '';
}

/** `added\tremoved\tpath\0`, or for a rename `added\tremoved\t\0old\0new\0`; `-` counts for a binary file. */
function parseNumstat(output: string): Map<string, { added: number; removed: number; binary: boolean }> {
  const fields = output.split('\0');
  const counts = new Map<string, { added: number; removed: number; binary: boolean }>();
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index];
    if (field === '') continue;
    const [plus, minus, path] = field.split('\t');
    // A rename's paths follow as two fields of their own; the new one names it.
    const name = path === '' ? fields[(index += 2)] : path;
    counts.set(name, { added: Number(plus) || 0, removed: Number(minus) || 0, binary: plus === '-' });
  }
  return counts;
}

/** `M\0path\0`, or for a rename or copy `R100\0old\0new\0`. */
function parseNameStatus(output: string): Omit<ChangedFile, 'added' | 'removed' | 'binary'>[] {
  const fields = output.split('\0');
  const files: Omit<ChangedFile, 'added' | 'removed' | 'binary'>[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const letter = fields[index].charAt(0);
    if (letter === '') continue;
    const kind = KINDS[letter] ?? 'modified';
    if (letter === 'R' || letter === 'C') {
      files.push({ path: fields[index + 2], oldPath: letter === 'R' ? fields[index + 1] : undefined, kind });
      index += 1;
    } else {
      files.push({ path: fields[index + 1], kind });
    }
  }
  return files;
}

/** `XY path\0`, a rename's old path following as a field of its own. */
function statusEntries(output: string): { code: string; path: string }[] {
  const fields = output.split('\0');
  const entries: { code: string; path: string }[] = [];
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index];
    if (field.length < 4) continue;
    const code = field.slice(0, 2);
    entries.push({ code, path: field.slice(3) });
    if (code.includes('R') || code.includes('C')) index += 1;
  }
  return entries;
}
