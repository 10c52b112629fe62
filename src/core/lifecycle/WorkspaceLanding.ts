import { existsSync } from 'node:fs';
import { refused } from '../errors';
import { compareUrl } from '../git/CompareUrl';
import { GhCli, type PullRequestInfo } from '../github/GhCli';
import { commitAll, conflictedFiles, fastForwardRef, mergeInCheckout, operationInProgress, planMerge, pullRequestText, pushBranch, remoteUrlOf, uncommittedTracked, updateFromBase, type UpdateOutcome, type UpdateStrategy } from '../git/Landing';
import { andList } from '../prose';
import type { WorkspaceRecord } from '../store/records';
import { requireWorkspace, statusWords, type LifecycleContext } from './context';
import type { MergeOutcome, PullRequestOutcome } from './types';

const SHOWN = 8;

/** `a, b and c`, or the first few and how many more. */
function fileList(files: readonly string[]): string {
  const shown = files.slice(0, SHOWN);
  return files.length > SHOWN ? `${shown.join(', ')} and ${files.length - SHOWN} more` : andList([...shown]);
}

/**
 * Bringing a workspace's work home: Commit All, Push, Merge into its base
 * (after a dry run, never over uncommitted work) and Update from its base.
 * With the workspace's lock; each refuses, changing nothing, unless the
 * workspace is ready with its folder, and says why.
 */
export class WorkspaceLanding {
  private readonly gh: GhCli;
  /** What gh said of each workspace's pull request (none: undefined), asked once per window, so a tree refresh never runs gh. */
  private readonly pullRequests = new Map<string, Promise<PullRequestInfo | undefined>>();

  constructor(private readonly context: LifecycleContext) {
    this.gh = context.options.gh ?? new GhCli();
  }

  /** The record of a ready workspace whose worktree exists and is not half way through a merge or rebase. */
  async ready(workspaceId: string, action: string, options: { midOperation?: boolean } = {}): Promise<WorkspaceRecord> {
    const record = requireWorkspace(this.context.store, workspaceId);
    if (record.status !== 'ready') throw refused(`${action} needs a ready workspace; "${record.branch}" is ${statusWords(record)}.`);
    if (!existsSync(record.worktreePath)) throw refused(`The worktree folder ${record.worktreePath} is missing; retry setup or delete the workspace.`);
    if (!options.midOperation) {
      const operation = await operationInProgress(record.worktreePath);
      if (operation) throw refused(`"${record.branch}" is in the middle of a ${operation}; finish it (git ${operation} --continue) or abort it (git ${operation} --abort) in its worktree first.`);
    }
    return record;
  }

  async commitAll(workspaceId: string, message: string): Promise<{ commit: string; files: number }> {
    const text = message.trim();
    if (text === '') throw refused('A commit needs a message.');
    const record = await this.ready(workspaceId, 'Commit All', { midOperation: true });
    // `add --all` would mark a conflicted file resolved, conflict markers and all.
    const conflicts = await conflictedFiles(this.context.git, record.worktreePath);
    if (conflicts.length > 0) throw refused(`"${record.branch}" has unresolved conflicts in ${fileList(conflicts)}; resolve them first.`);
    const result = await commitAll(this.context.git, record.worktreePath, text);
    this.context.changed(workspaceId);
    return result;
  }

  async push(workspaceId: string): Promise<{ upstream: string; setUpstream: boolean }> {
    const record = await this.ready(workspaceId, 'Push');
    const result = await pushBranch(this.context.git, record.worktreePath, record.branch);
    this.context.changed(workspaceId);
    return result;
  }

  /**
   * Merge into base: refuses uncommitted work in the workspace (details
   * `uncommitted`) or in the base branch's checkout, and a dry run with
   * conflicts (details `conflicts`); then merges in the checkout that has the
   * base branch, or, when none has it, moves the branch for a fast-forward only.
   */
  async mergeIntoBase(workspaceId: string): Promise<MergeOutcome> {
    const { git } = this.context;
    const record = await this.ready(workspaceId, 'Merge');
    const { repoPath, branch, baseBranch: base } = record;
    const uncommitted = await git.dirtyFiles(record.worktreePath);
    if (uncommitted.length > 0) throw refused(`"${branch}" has uncommitted or untracked files (${fileList(uncommitted)}); commit them first, then merge.`, { uncommitted });
    if (!(await git.localBranchExists(repoPath, base))) throw refused(`The base branch "${base}" does not exist in ${repoPath}.`);
    const plan = await planMerge(git, repoPath, base, branch);
    if (plan.merged) return { kind: 'already-merged', base };
    if (plan.conflicts.length > 0) throw refused(`Merging "${branch}" into "${base}" would conflict in ${fileList(plan.conflicts)}; nothing was changed. Update from ${base} and resolve them in the workspace first.`, { conflicts: plan.conflicts });
    const checkout = await git.worktreeForBranch(repoPath, base);
    if (checkout) {
      const dirty = await uncommittedTracked(git, checkout.path);
      if (dirty.length > 0) throw refused(`"${base}" is checked out in ${checkout.path} with uncommitted changes (${fileList(dirty)}); commit or stash them there, then merge.`, { baseCheckoutDirty: dirty });
      if (await operationInProgress(checkout.path)) throw refused(`${checkout.path} (where "${base}" is checked out) is in the middle of a merge or rebase; finish or abort it first.`);
      await this.context.step('merge:checked');
      await mergeInCheckout(git, checkout.path, plan.branchTip, branch);
    } else if (plan.fastForward) {
      await this.context.step('merge:checked');
      await fastForwardRef(git, repoPath, base, plan.baseTip, plan.branchTip);
    } else {
      throw refused(`No worktree has "${base}" checked out, and merging "${branch}" into it needs a merge commit; check out "${base}" somewhere and merge again.`);
    }
    this.context.changed(workspaceId);
    return { kind: 'merged', base, fastForward: plan.fastForward, checkout: checkout?.path };
  }

  /** Update from base: merges or rebases the base into the workspace; a conflict is left for the user, and said. */
  async updateFromBase(workspaceId: string, strategy: UpdateStrategy): Promise<UpdateOutcome> {
    const { git } = this.context;
    const record = await this.ready(workspaceId, 'Update');
    const uncommitted = await git.dirtyFiles(record.worktreePath);
    if (uncommitted.length > 0) throw refused(`"${record.branch}" has uncommitted or untracked files (${fileList(uncommitted)}); commit them first, then update.`, { uncommitted });
    if (!(await git.localBranchExists(record.repoPath, record.baseBranch))) throw refused(`The base branch "${record.baseBranch}" does not exist in ${record.repoPath}.`);
    const outcome = await updateFromBase(git, record.worktreePath, record.baseBranch, strategy);
    this.context.changed(workspaceId);
    return outcome;
  }

  /**
   * Create Pull Request: pushes first (the host needs the branch), then `gh pr
   * create` when gh is installed and logged in; otherwise hands back the
   * compare page for the editor to offer (or its pull request extension).
   */
  async createPullRequest(workspaceId: string): Promise<PullRequestOutcome> {
    const { git } = this.context;
    const record = await this.ready(workspaceId, 'Create Pull Request');
    const { branch, baseBranch: base, worktreePath } = record;
    const text = await pullRequestText(git, worktreePath, base, branch);
    await pushBranch(git, worktreePath, branch);
    await this.context.step('pull-request:pushed');
    this.pullRequests.delete(workspaceId);
    if (await this.gh.ready(worktreePath)) {
      const url = await this.gh.create(worktreePath, { base, head: branch, ...text });
      this.pullRequests.set(workspaceId, Promise.resolve({ url, state: 'open' }));
      this.context.changed(workspaceId);
      return { kind: 'created', url };
    }
    const remote = await remoteUrlOf(git, worktreePath, branch);
    this.context.changed(workspaceId);
    return { kind: 'handover', base, branch, compareUrl: remote ? compareUrl(remote, base, branch) : undefined };
  }

  /** The workspace's pull request as gh tells it, asked once and kept (Create Pull Request replaces it; `fresh` asks again). */
  pullRequest(workspaceId: string, options: { fresh?: boolean } = {}): Promise<PullRequestInfo | undefined> {
    if (options.fresh) this.pullRequests.delete(workspaceId);
    const known = this.pullRequests.get(workspaceId);
    if (known) return known;
    const record = this.context.store.workspace(workspaceId);
    if (!record || !existsSync(record.worktreePath)) return Promise.resolve(undefined);
    const asked = this.gh.view(record.worktreePath, record.branch);
    this.pullRequests.set(workspaceId, asked);
    return asked;
  }
}
