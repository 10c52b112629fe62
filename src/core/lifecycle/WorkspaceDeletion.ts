import { existsSync } from 'node:fs';
import { errorMessage } from '../errors';
import type { SetupStage, WorkspaceRecord } from '../store/records';
import { StageError, killIgnoringMissingTmux, type LifecycleContext } from './context';
import type { DeletePreview } from './types';
import { loadProjectFile } from '../project/projectFile';

export { beyond, describeLoss } from './loss';

/** The steps of a delete after its guards: the preflight, stopping every session, removing worktree and records. With the workspace's lock. */
export class WorkspaceDeletion {
  constructor(private readonly context: LifecycleContext) {}

  /**
   * The record with the folder git has its branch checked out in: a worktree
   * moved with `git worktree move` is followed (and the record updated, with
   * the workspace's lock). One whose branch was switched away stays where it is.
   */
  async locate(record: WorkspaceRecord): Promise<WorkspaceRecord> {
    const found = await this.findWorktree(record);
    if (found === record.worktreePath) return record;
    this.context.log.info(`workspace ${record.id}: its worktree moved from ${record.worktreePath} to ${found}`);
    const updated = await this.context.store.update(record.id, { worktreePath: found });
    this.context.changed(record.id);
    return updated ?? { ...record, worktreePath: found };
  }

  /**
   * What a delete without force would refuse over: uncommitted or untracked
   * files, commits on the branch and on the worktree's HEAD (when it is
   * elsewhere) that are not pushed, and the same inside initialised
   * submodules (as `lib/file` and `lib: <commit>`).
   */
  async preview(record: WorkspaceRecord): Promise<DeletePreview> {
    const { git } = this.context;
    const worktreePath = await this.findWorktree(record);
    const branchLives = existsSync(record.repoPath) && (await git.localBranchExists(record.repoPath, record.branch));
    const onBranch = branchLives ? await git.unpushedCommits(record.repoPath, record.baseBranch, `refs/heads/${record.branch}`) : [];
    // The folder is gone, but the branch (which delete may remove) can still hold unpushed commits.
    if (!existsSync(worktreePath)) return { dirtyFiles: [], unpushedCommits: onBranch };
    const [dirtyFiles, head, submodules, teardown] = await Promise.all([git.dirtyFiles(worktreePath), git.worktreeHead(worktreePath), git.submodules(worktreePath), this.hasTeardown(record)]);
    // Switched to another branch or detached: what only that HEAD holds goes with the worktree.
    const onHead = 'branch' in head && head.branch === record.branch ? [] : await git.unpushedCommits(worktreePath, record.baseBranch, 'HEAD');
    return {
      dirtyFiles: [...dirtyFiles, ...submodules.flatMap((sub) => sub.dirtyFiles.map((file) => `${sub.path}/${file}`))],
      unpushedCommits: [...new Set([...onBranch, ...onHead, ...submodules.flatMap((sub) => sub.unpushedCommits.map((line) => `${sub.path}: ${line}`))])],
      ...(teardown ? { teardown } : {}),
    };
  }

  /** Whether the repository's project file has teardown steps; one that cannot be read may have (the delete itself says why). */
  private async hasTeardown(record: WorkspaceRecord): Promise<boolean> {
    if (!existsSync(record.repoPath)) return false;
    try {
      return ((await loadProjectFile(record.repoPath))?.file.teardown.length ?? 0) > 0;
    } catch (error) {
      this.context.log.debug(`workspace ${record.id}: the project file could not be read for the delete preview: ${errorMessage(error)}`);
      return true;
    }
  }

  /** Where the worktree is: where git has the branch checked out, else the recorded folder. */
  private async findWorktree(record: WorkspaceRecord): Promise<string> {
    if (!existsSync(record.repoPath)) return record.worktreePath;
    if (await this.context.git.isWorktreeOf(record.repoPath, record.worktreePath, record.branch)) return record.worktreePath;
    return (await this.context.git.worktreeForBranch(record.repoPath, record.branch))?.path ?? record.worktreePath;
  }

  /** Every runtime session, then the base terminal; a real stop failure aborts before git is touched. */
  async stopAll(record: WorkspaceRecord, stage: SetupStage = 'delete'): Promise<void> {
    const { tmux, store } = this.context;
    for (const session of store.sessionsOf(record.id)) {
      try {
        await killIgnoringMissingTmux(tmux, session.tmuxName);
      } catch (error) {
        throw new StageError(stage, `could not stop ${session.label}: ${errorMessage(error)}`);
      }
      await this.context.step(`${stage}:session-stopped`);
      if (await store.forgetSession(session.key, session.createdAt)) {
        this.context.emit({ type: 'session-ended', session, natural: false });
      }
      await this.context.step(`${stage}:session-forgotten`);
    }
    try {
      await killIgnoringMissingTmux(tmux, record.baseSession);
    } catch (error) {
      throw new StageError(stage, `could not stop the base terminal: ${errorMessage(error)}`);
    }
    await this.context.step(`${stage}:base-stopped`);
  }

  /** The worktree, then (if this workspace created it, and unless `keepBranch`: an archive) the branch. */
  async removeWorktree(record: WorkspaceRecord, force: boolean, options: { keepBranch?: boolean; stage?: SetupStage } = {}): Promise<void> {
    const stage = options.stage ?? 'delete';
    const { git } = this.context;
    try {
      if (existsSync(record.worktreePath)) {
        // git refuses a worktree with initialised submodules unless told; the preview covered what is in them.
        const hasSubmodules = (await git.submodules(record.worktreePath)).length > 0;
        await git.removeWorktree(record.repoPath, record.worktreePath, { force, hasSubmodules });
        await this.context.step(`${stage}:worktree-removed`);
      }
      if (existsSync(record.repoPath)) {
        await git.prune(record.repoPath);
        if (record.createdBranch && !options.keepBranch) {
          await git.deleteBranch(record.repoPath, record.branch);
          await this.context.step('delete:branch-deleted');
        }
      }
    } catch (error) {
      throw new StageError(stage, error);
    }
  }

  /** The workspace's resumable agents and its own record: the last step. */
  async forgetRecords(workspaceId: string): Promise<void> {
    const { store } = this.context;
    for (const resumable of store.resumables().filter((agent) => agent.workspaceId === workspaceId)) await store.forgetResumable(resumable.key);
    await store.forgetWorkspace(workspaceId);
    await this.context.scrollback.removeWorkspace(workspaceId);
  }
}
