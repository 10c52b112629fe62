import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { refused } from '../errors';
import type { GitClient } from './GitClient';
import { worktreeGitDir } from './WorktreeWatcher';

/**
 * Bringing a workspace's work home, in git: commit everything, push, the
 * merge dry run and the merge into the base branch, and updating the
 * workspace from its base. Every command is an argv array through GitClient.
 */

/** What a merge of `branch` into `base` would do, found without touching a worktree or a ref. */
export interface MergePlan {
  readonly baseTip: string;
  readonly branchTip: string;
  /** Files the merge would leave in conflict; empty when it is clean. */
  readonly conflicts: readonly string[];
  /** `base` is an ancestor of `branch`: the base branch just moves forward. */
  readonly fastForward: boolean;
  /** `branch` is already in `base`: there is nothing to merge. */
  readonly merged: boolean;
}

/** A merge or rebase left half done in a worktree, for the user to finish or abort. */
export type OperationInProgress = 'merge' | 'rebase';

export type UpdateStrategy = 'merge' | 'rebase';

export type UpdateOutcome =
  | { readonly kind: 'updated' }
  | { readonly kind: 'up-to-date' }
  | { readonly kind: 'conflicts'; readonly operation: OperationInProgress; readonly files: readonly string[] };

async function commitOf(git: GitClient, cwd: string, ref: string): Promise<string> {
  return (await git.read(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
}

/** Whether `ancestor` is reachable from `descendant` (exit status 1 means no). */
async function isAncestor(git: GitClient, cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  return (await git.readWithStatus(cwd, ['merge-base', '--is-ancestor', ancestor, descendant], [1])).exitCode === 0;
}

/** The dry run: `merge-tree --write-tree` (git ≥ 2.38) writes only objects, never a worktree, an index or a ref. */
export async function planMerge(git: GitClient, repo: string, base: string, branch: string): Promise<MergePlan> {
  const [baseTip, branchTip] = await Promise.all([commitOf(git, repo, `refs/heads/${base}`), commitOf(git, repo, `refs/heads/${branch}`)]);
  if (await isAncestor(git, repo, branchTip, baseTip)) return { baseTip, branchTip, conflicts: [], fastForward: false, merged: true };
  if (await isAncestor(git, repo, baseTip, branchTip)) return { baseTip, branchTip, conflicts: [], fastForward: true, merged: false };
  const result = await git.readWithStatus(repo, ['merge-tree', '--write-tree', '--name-only', '--no-messages', baseTip, branchTip], [1]);
  // Exit 1: the first line is the tree, the rest the conflicted files.
  const conflicts = result.exitCode === 1 ? result.stdout.split('\n').slice(1).filter(Boolean) : [];
  return { baseTip, branchTip, conflicts, fastForward: false, merged: false };
}

/** Tracked files changed and not committed in a checkout (untracked ones are git's to protect: a merge never overwrites them). */
export async function uncommittedTracked(git: GitClient, checkout: string): Promise<string[]> {
  const output = await git.read(checkout, ['status', '--porcelain', '--untracked-files=no', '--ignore-submodules=none']);
  return output.split('\n').filter(Boolean).map((line) => line.slice(3));
}

/**
 * Merges `branch` into the branch checked out in `checkout` (fast-forward
 * when possible, else a merge commit). The checkout was clean and the dry run
 * found no conflict; should git stop half way anyway, the merge is aborted,
 * which puts back the clean checkout it started from.
 */
export async function mergeInCheckout(git: GitClient, checkout: string, branchTip: string, branch: string): Promise<void> {
  try {
    await git.read(checkout, ['merge', '--no-edit', '--ff', '-m', `Merge branch '${branch}'`, branchTip]);
  } catch (error) {
    if ((await operationInProgress(checkout)) === 'merge') await git.read(checkout, ['merge', '--abort']);
    throw error;
  }
}

/** Moves `base` from `from` to `to` (a fast-forward) when no worktree has it checked out; refused if it moved meanwhile. */
export async function fastForwardRef(git: GitClient, repo: string, base: string, from: string, to: string): Promise<void> {
  await git.read(repo, ['update-ref', '-m', `merge ${to}: Fast-forward`, `refs/heads/${base}`, to, from]);
}

/** A merge or rebase in progress in a worktree, from its git folder (MERGE_HEAD, rebase-merge, rebase-apply). */
export async function operationInProgress(worktree: string): Promise<OperationInProgress | undefined> {
  // The main checkout has its git folder in `.git`; a linked worktree's `.git` file names its own.
  const dotGit = join(worktree, '.git');
  const gitDir = (await stat(dotGit)).isDirectory() ? dotGit : await worktreeGitDir(worktree);
  if (existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply'))) return 'rebase';
  if (existsSync(join(gitDir, 'MERGE_HEAD'))) return 'merge';
  return undefined;
}

/** The files a merge or rebase in progress left in conflict. */
export async function conflictedFiles(git: GitClient, worktree: string): Promise<string[]> {
  return (await git.read(worktree, ['diff', '--name-only', '--diff-filter=U'])).split('\n').filter(Boolean);
}

/** Brings `base` into the worktree's branch by merge or rebase; a conflict stops it half way, for the user. */
export async function updateFromBase(git: GitClient, worktree: string, base: string, strategy: UpdateStrategy): Promise<UpdateOutcome> {
  const baseTip = await commitOf(git, worktree, `refs/heads/${base}`);
  if (await isAncestor(git, worktree, baseTip, 'HEAD')) return { kind: 'up-to-date' };
  const args = strategy === 'rebase' ? ['rebase', baseTip] : ['merge', '--no-edit', '-m', `Merge branch '${base}'`, baseTip];
  const result = await git.readWithStatus(worktree, args, [1]);
  if (result.exitCode === 0) return { kind: 'updated' };
  const operation = await operationInProgress(worktree);
  // Exit 1 without a merge or rebase left behind is git refusing to start, with nothing changed.
  if (!operation) throw refused(`git ${args[0]} stopped: ${result.stdout.trim() || 'no reason given'}`);
  return { kind: 'conflicts', operation, files: await conflictedFiles(git, worktree) };
}

/** Stages every change (untracked files too) and commits it; refused when there is nothing to commit. */
export async function commitAll(git: GitClient, worktree: string, message: string): Promise<{ commit: string; files: number }> {
  const files = await git.dirtyFiles(worktree);
  if (files.length === 0) throw refused('There is nothing to commit: the worktree has no uncommitted or untracked files.');
  await git.read(worktree, ['add', '--all', '--', '.']);
  await git.read(worktree, ['commit', '--quiet', '-m', message]);
  return { commit: (await git.read(worktree, ['rev-parse', 'HEAD'])).trim(), files: files.length };
}

/** The remote a first push goes to: `origin`, else the only remote; refused when there is none or the choice is not clear. */
export async function pushRemote(git: GitClient, worktree: string): Promise<string> {
  const remotes = (await git.read(worktree, ['remote'])).split('\n').filter(Boolean);
  if (remotes.length === 0) throw refused('The repository has no remote to push to; add one (git remote add origin <url>) and push again.');
  if (remotes.includes('origin')) return 'origin';
  if (remotes.length === 1) return remotes[0];
  throw refused(`The repository has several remotes (${remotes.join(', ')}) and none is "origin"; push once yourself with --set-upstream to choose one.`);
}

/** Pushes the branch to its upstream; the first push (or one whose upstream is a local branch) sets it on `pushRemote`. */
export async function pushBranch(git: GitClient, worktree: string, branch: string): Promise<{ upstream: string; setUpstream: boolean }> {
  const config = (key: string) => git.tryRead(worktree, ['config', '--get', `branch.${branch}.${key}`]).then((value) => value?.trim() || undefined);
  const [remote, merge] = await Promise.all([config('remote'), config('merge')]);
  if (remote && remote !== '.' && merge) {
    await git.read(worktree, ['push', '--quiet', remote, `refs/heads/${branch}:${merge}`]);
    return { upstream: `${remote}/${merge.replace(/^refs\/heads\//, '')}`, setUpstream: false };
  }
  const target = await pushRemote(git, worktree);
  await git.read(worktree, ['push', '--quiet', '--set-upstream', target, `refs/heads/${branch}:refs/heads/${branch}`]);
  return { upstream: `${target}/${branch}`, setUpstream: true };
}

/** The URL of the remote the branch pushes to (its upstream's, else `pushRemote`'s); undefined when there is no remote. */
export async function remoteUrlOf(git: GitClient, worktree: string, branch: string): Promise<string | undefined> {
  const remote = (await git.tryRead(worktree, ['config', '--get', `branch.${branch}.remote`]))?.trim();
  const name = remote && remote !== '.' ? remote : await pushRemote(git, worktree);
  return (await git.tryRead(worktree, ['remote', 'get-url', name]))?.trim() || undefined;
}

/**
 * A pull request's title and body from the branch's commits since `base`, as
 * `gh pr create --fill` makes them: one commit gives its subject and body;
 * several give the branch name and a list of their subjects.
 */
export async function pullRequestText(git: GitClient, worktree: string, base: string, branch: string): Promise<{ title: string; body: string }> {
  const output = await git.read(worktree, ['log', '--reverse', '--format=%s%x1f%b%x1e', `refs/heads/${base}..refs/heads/${branch}`, '--']);
  const commits = output.split('\x1e').map((entry) => entry.trim()).filter(Boolean).map((entry) => {
    const [subject, body = ''] = entry.split('\x1f');
    return { subject: subject.trim(), body: body.trim() };
  });
  if (commits.length === 0) throw refused(`"${branch}" has no commits that "${base}" lacks; there is nothing for a pull request.`);
  if (commits.length === 1) return { title: commits[0].subject, body: commits[0].body };
  return { title: branch, body: commits.map((commit) => `- ${commit.subject}`).join('\n') };
}
