import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { runLogged, silentLogger, type CommandLogger } from '../commandLog';
import { WorkspaceError, refused } from '../errors';
import { branchNameProblem } from '../naming';

export interface WorktreeInfo {
  readonly path: string;
  readonly branch?: string;
  readonly head?: string;
}

export interface BranchList {
  readonly local: string[];
  /** `origin/feature` style names, without `origin/HEAD`. */
  readonly remote: string[];
}

export type WorktreeSource =
  | { readonly kind: 'new'; readonly branch: string; readonly base: string }
  | { readonly kind: 'existing'; readonly branch: string };

/** An initialised submodule and what would be lost with it. */
export interface SubmoduleState {
  /** Relative to the worktree. */
  readonly path: string;
  readonly dirtyFiles: string[];
  /** Commits on its HEAD that are on none of its remotes. */
  readonly unpushedCommits: string[];
}

export interface GitClientOptions {
  readonly command?: string;
  readonly log?: CommandLogger;
}

/** A `git submodule status` line: state, sha, path, and perhaps `(describe)`. */
const SUBMODULE_LINE = /^[ +U-][0-9a-f]+ (.+?)(?: \(.*\))?$/;

/** The real path of a folder, or undefined when nothing is there. */
async function realPathIfPresent(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A status `readWithStatus` was told is an answer, on its way out of `git()`. */
class AnsweredWithStatus extends Error {
  constructor(
    readonly stdout: string,
    readonly exitCode: number,
  ) {
    super(`git exited with ${exitCode}`);
  }
}

export class GitClient {
  private readonly command: string;
  private readonly log: CommandLogger;

  constructor(options: GitClientOptions = {}) {
    this.command = options.command ?? 'git';
    this.log = options.log ?? silentLogger;
  }

  async repositoryRoot(path: string): Promise<string> {
    try {
      return (await this.git(path, ['rev-parse', '--show-toplevel'])).trim();
    } catch (error) {
      if (error instanceof WorkspaceError && error.kind === 'failed') {
        throw refused(`${path} is not inside a git repository.`);
      }
      throw error;
    }
  }

  /** Refuses a name git would not accept as a branch, with words a user can act on. */
  async checkBranchName(repo: string, name: string): Promise<void> {
    const problem = branchNameProblem(name);
    if (problem) throw refused(`Invalid branch name "${name}": ${problem}`);
    const result = await this.tryGit(repo, ['check-ref-format', '--branch', name]);
    if (result === undefined) throw refused(`Invalid branch name "${name}": git does not accept it as a branch name.`);
  }

  /** The branch `origin/HEAD` points at, else the checked-out branch, else `main`. */
  async defaultBranch(repo: string): Promise<string> {
    const remoteHead = await this.tryGit(repo, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
    if (remoteHead) return remoteHead.trim().replace(/^origin\//, '');
    const current = await this.tryGit(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
    return current?.trim() || 'main';
  }

  async listBranches(repo: string): Promise<BranchList> {
    const output = await this.git(repo, ['for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/remotes']);
    const local: string[] = [];
    const remote: string[] = [];
    for (const ref of output.split('\n').filter(Boolean)) {
      if (ref.startsWith('refs/heads/')) local.push(ref.slice('refs/heads/'.length));
      else if (!ref.endsWith('/HEAD')) remote.push(ref.slice('refs/remotes/'.length));
    }
    return { local, remote };
  }

  /** The local branch name for `name`: itself when local, `feature` for a remote-only `origin/feature`. */
  async localNameFor(repo: string, name: string): Promise<string> {
    if (await this.localBranchExists(repo, name)) return name;
    const { remote } = await this.listBranches(repo);
    return remote.includes(name) ? name.slice(name.indexOf('/') + 1) : name;
  }

  async localBranchExists(repo: string, branch: string): Promise<boolean> {
    return (await this.tryGit(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`])) !== undefined;
  }

  /**
   * Adds a worktree. A new branch starts from `base`; an existing branch is
   * checked out (a remote-only one becomes a local tracking branch).
   * Resolves to whether this call created the branch.
   */
  async addWorktree(repo: string, path: string, source: WorktreeSource): Promise<{ createdBranch: boolean }> {
    if (source.kind === 'new') {
      await this.git(repo, ['worktree', 'add', '-b', source.branch, '--', path, source.base]);
      return { createdBranch: true };
    }
    if (await this.localBranchExists(repo, source.branch)) {
      await this.git(repo, ['worktree', 'add', '--', path, source.branch]);
      return { createdBranch: false };
    }
    const { remote } = await this.listBranches(repo);
    const tracking = remote.find((name) => name.slice(name.indexOf('/') + 1) === source.branch) ?? (remote.includes(source.branch) ? source.branch : undefined);
    if (!tracking) throw refused(`Branch "${source.branch}" exists neither locally nor on a remote.`);
    const localName = tracking === source.branch ? source.branch.slice(source.branch.indexOf('/') + 1) : source.branch;
    await this.git(repo, ['worktree', 'add', '--track', '-b', localName, '--', path, tracking]);
    return { createdBranch: true };
  }

  async listWorktrees(repo: string): Promise<WorktreeInfo[]> {
    const output = await this.git(repo, ['worktree', 'list', '--porcelain']);
    const worktrees: WorktreeInfo[] = [];
    for (const block of output.split('\n\n')) {
      const fields = new Map(block.split('\n').filter(Boolean).map((line) => {
        const space = line.indexOf(' ');
        return space < 0 ? [line, ''] : [line.slice(0, space), line.slice(space + 1)];
      }));
      const path = fields.get('worktree');
      if (!path) continue;
      worktrees.push({ path, branch: fields.get('branch')?.replace(/^refs\/heads\//, ''), head: fields.get('HEAD') });
    }
    return worktrees;
  }

  /** The worktree that has `branch` checked out, wherever it has been moved to. */
  async worktreeForBranch(repo: string, branch: string): Promise<WorktreeInfo | undefined> {
    return (await this.listWorktrees(repo)).find((worktree) => worktree.branch === branch);
  }

  /** Whether `folder` is a worktree registered with `repo` that has `branch` checked out. */
  async isWorktreeOf(repo: string, folder: string, branch: string): Promise<boolean> {
    const real = await realPathIfPresent(folder);
    if (real === undefined) return false;
    for (const worktree of await this.listWorktrees(repo)) {
      if (worktree.branch === branch && (await realPathIfPresent(worktree.path)) === real) return true;
    }
    return false;
  }

  /**
   * Removes a worktree. git refuses one with initialised submodules without
   * `--force`: pass `hasSubmodules` only once `submodules()` showed nothing at
   * risk. `force` (the user forced the delete) also removes a locked worktree.
   */
  async removeWorktree(repo: string, path: string, options: { force: boolean; hasSubmodules?: boolean }): Promise<void> {
    if (!existsSync(path)) {
      await this.prune(repo);
      return;
    }
    const force = options.force ? ['--force', '--force'] : options.hasSubmodules ? ['--force'] : [];
    await this.git(repo, ['worktree', 'remove', ...force, '--', path]);
  }

  async prune(repo: string): Promise<void> {
    await this.git(repo, ['worktree', 'prune']);
  }

  async deleteBranch(repo: string, branch: string): Promise<void> {
    if (!(await this.localBranchExists(repo, branch))) return;
    await this.git(repo, ['branch', '-D', '--', branch]);
  }

  /**
   * Uncommitted and untracked files (not ignored ones), as `status --porcelain`
   * lists them. A submodule with changes counts, whatever `diff.ignoreSubmodules`
   * or a committed `.gitmodules` says.
   */
  async dirtyFiles(worktree: string): Promise<string[]> {
    const output = await this.git(worktree, ['status', '--porcelain', '--untracked-files=all', '--ignore-submodules=none']);
    return output.split('\n').filter(Boolean).map((line) => line.slice(3));
  }

  /**
   * Every initialised submodule (recursively) with what only it holds:
   * uncommitted files and commits that are on no remote.
   */
  async submodules(worktree: string): Promise<SubmoduleState[]> {
    const output = await this.git(worktree, ['submodule', 'status', '--recursive']);
    const states: SubmoduleState[] = [];
    for (const line of output.split('\n').filter(Boolean)) {
      // `-` marks a submodule that is not initialised: nothing of it is in this worktree.
      if (line.startsWith('-')) continue;
      const path = SUBMODULE_LINE.exec(line)?.[1];
      if (!path) throw new WorkspaceError('failed', `git submodule status printed a line it does not explain: ${line}`);
      const folder = join(worktree, path);
      const [dirty, unpushed] = await Promise.all([
        this.dirtyFiles(folder),
        this.git(folder, ['log', '--format=%h %s', 'HEAD', '--not', '--remotes', '--']),
      ]);
      states.push({ path, dirtyFiles: dirty, unpushedCommits: unpushed.split('\n').filter(Boolean) });
    }
    return states;
  }

  /** The branch checked out in a worktree, or the commit when its HEAD is detached. */
  async worktreeHead(worktree: string): Promise<{ branch: string } | { detached: string }> {
    const branch = (await this.tryGit(worktree, ['symbolic-ref', '--quiet', '--short', 'HEAD']))?.trim();
    return branch ? { branch } : { detached: (await this.git(worktree, ['rev-parse', 'HEAD'])).trim() };
  }

  /**
   * Commits on `ref` (HEAD, or `refs/heads/<branch>` whatever is checked out)
   * that are neither on its upstream nor on `base` (a branch merged into its
   * base loses nothing with its worktree).
   */
  async unpushedCommits(worktree: string, base: string, ref = 'HEAD'): Promise<string[]> {
    // `@{upstream}` takes a branch name: `refs/heads/x@{upstream}` is "no such branch".
    const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
    const upstream = await this.tryGit(worktree, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', `${branch}@{upstream}`]);
    // A commit the base branch has (merged, say) is not lost with the branch, pushed or not.
    const baseExists = (await this.tryGit(worktree, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`])) !== undefined;
    const against = [...(upstream?.trim() ? [upstream.trim()] : []), ...(baseExists ? [base] : [])];
    const output = against.length === 0 ? undefined : await this.tryGit(worktree, ['log', '--format=%h %s', ref, '--not', ...against, '--']);
    if (output === undefined) {
      // Without a base to compare with, every commit on the branch counts.
      return (await this.git(worktree, ['log', '--format=%h %s', ref, '--'])).split('\n').filter(Boolean);
    }
    return output.split('\n').filter(Boolean);
  }

  /**
   * Makes git ignore `path` (relative to the worktree) through the repository's
   * `info/exclude`, which is never committed, unless it is ignored already.
   */
  async ignoreLocally(worktree: string, path: string): Promise<void> {
    if ((await this.tryGit(worktree, ['check-ignore', '-q', '--', path])) !== undefined) return;
    const exclude = resolve(worktree, (await this.git(worktree, ['rev-parse', '--git-path', 'info/exclude'])).trim());
    await mkdir(dirname(exclude), { recursive: true });
    const current = existsSync(exclude) ? await readFile(exclude, 'utf8') : '';
    await appendFile(exclude, `${current === '' || current.endsWith('\n') ? '' : '\n'}/${path}\n`);
  }

  /**
   * Runs one read-only git command (an argv array) in `cwd`; its stdout, with
   * `exact` not even the final newline taken off (a file's content). For rooms
   * such as WorktreeChanges.
   */
  read(cwd: string, args: readonly string[], options: { exact?: boolean } = {}): Promise<string> {
    return this.git(cwd, args, options);
  }

  /** `read`, or undefined when git reports a failure (a ref that does not exist, say). */
  tryRead(cwd: string, args: readonly string[], options: { exact?: boolean } = {}): Promise<string | undefined> {
    return this.tryGit(cwd, args, options);
  }

  /**
   * `read` for a command whose exit status is part of its answer
   * (`merge-tree --write-tree` exits 1 when the merge would conflict): its
   * stdout and status when the status is one of `answers`, else a failure.
   */
  async readWithStatus(cwd: string, args: readonly string[], answers: readonly number[]): Promise<{ stdout: string; exitCode: number }> {
    try {
      return { stdout: await this.git(cwd, args, { answers }), exitCode: 0 };
    } catch (error) {
      if (error instanceof AnsweredWithStatus) return { stdout: error.stdout, exitCode: error.exitCode };
      throw error;
    }
  }

  private async tryGit(cwd: string, args: readonly string[], options: { exact?: boolean } = {}): Promise<string | undefined> {
    try {
      return await this.git(cwd, args, options);
    } catch (error) {
      if (error instanceof WorkspaceError && error.kind === 'failed') return undefined;
      throw error;
    }
  }

  private git(cwd: string, args: readonly string[], options: { exact?: boolean; answers?: readonly number[] } = {}): Promise<string> {
    return runLogged(this.log, this.command, args, { cwd, env: { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }, exact: options.exact }, (failure) => {
      if (failure.exitCode !== undefined && options.answers?.includes(failure.exitCode)) return new AnsweredWithStatus(failure.stdout, failure.exitCode);
      if (failure.code === 'ENOENT' && !existsSync(cwd)) return new WorkspaceError('gone', `Folder ${cwd} does not exist.`);
      if (failure.code === 'ENOENT') return new WorkspaceError('unavailable', 'git is not installed or not on PATH.');
      return new WorkspaceError('failed', `git ${args[0]} failed: ${failure.stderr || failure.shortMessage}`);
    });
  }

}
