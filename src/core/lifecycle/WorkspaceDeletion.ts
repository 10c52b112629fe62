import { existsSync } from 'node:fs';
import { errorMessage } from '../errors';
import type { WorkspaceRecord } from '../store/records';
import { StageError, killIgnoringMissingTmux, type LifecycleContext } from './context';
import type { DeletePreview } from './types';

/** What a delete would lose, in words: "2 uncommitted or untracked files and 1 unpushed commit". Empty when nothing. */
export function describeLoss(preview: DeletePreview): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts: string[] = [];
  if (preview.dirtyFiles.length > 0) parts.push(count(preview.dirtyFiles.length, 'uncommitted or untracked file', 'uncommitted or untracked files'));
  if (preview.unpushedCommits.length > 0) parts.push(count(preview.unpushedCommits.length, 'unpushed commit', 'unpushed commits'));
  return parts.join(' and ');
}

/** The steps of a delete after its guards: the preflight, stopping every session, removing worktree and records. With the workspace's lock. */
export class WorkspaceDeletion {
  constructor(private readonly context: LifecycleContext) {}

  /** What a delete without force would refuse over: uncommitted or untracked files, unpushed commits. */
  async preview(record: WorkspaceRecord): Promise<DeletePreview> {
    const { git } = this.context;
    if (!existsSync(record.worktreePath)) {
      // The folder is gone, but the branch (which delete may remove) can still hold unpushed commits.
      const branchLives = existsSync(record.repoPath) && (await git.localBranchExists(record.repoPath, record.branch));
      const unpushedCommits = branchLives ? await git.unpushedCommits(record.repoPath, record.baseBranch, `refs/heads/${record.branch}`) : [];
      return { dirtyFiles: [], unpushedCommits };
    }
    const [dirtyFiles, unpushedCommits] = await Promise.all([
      git.dirtyFiles(record.worktreePath),
      git.unpushedCommits(record.worktreePath, record.baseBranch),
    ]);
    return { dirtyFiles, unpushedCommits };
  }

  /** Every runtime session, then the base terminal; a real stop failure aborts before git is touched. */
  async stopAll(record: WorkspaceRecord): Promise<void> {
    const { tmux, store } = this.context;
    for (const session of store.sessionsOf(record.id)) {
      try {
        await killIgnoringMissingTmux(tmux, session.tmuxName);
      } catch (error) {
        throw new StageError('delete', `could not stop ${session.label}: ${errorMessage(error)}`);
      }
      await this.context.step('delete:session-stopped');
      if (await store.forgetSession(session.key, session.createdAt)) {
        this.context.emit({ type: 'session-ended', session, natural: false });
      }
      await this.context.step('delete:session-forgotten');
    }
    try {
      await killIgnoringMissingTmux(tmux, record.baseSession);
    } catch (error) {
      throw new StageError('delete', `could not stop the base terminal: ${errorMessage(error)}`);
    }
    await this.context.step('delete:base-stopped');
  }

  /** The worktree, then (if this workspace created it) the branch. */
  async removeWorktree(record: WorkspaceRecord, force: boolean): Promise<void> {
    const { git } = this.context;
    try {
      if (existsSync(record.worktreePath)) {
        await git.removeWorktree(record.repoPath, record.worktreePath, { force });
        await this.context.step('delete:worktree-removed');
      }
      if (existsSync(record.repoPath)) {
        await git.prune(record.repoPath);
        if (record.createdBranch) {
          await git.deleteBranch(record.repoPath, record.branch);
          await this.context.step('delete:branch-deleted');
        }
      }
    } catch (error) {
      throw new StageError('delete', error);
    }
  }

  /** The workspace's resumable agents and its own record: the last step. */
  async forgetRecords(workspaceId: string): Promise<void> {
    const { store } = this.context;
    for (const resumable of store.resumables().filter((agent) => agent.workspaceId === workspaceId)) await store.forgetResumable(resumable.key);
    await store.forgetWorkspace(workspaceId);
  }
}
