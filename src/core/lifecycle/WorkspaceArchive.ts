import { existsSync } from 'node:fs';
import { errorMessage, failed, refused } from '../errors';
import type { SetupStage, WorkspaceRecord } from '../store/records';
import { StageError, requireWorkspace, statusWords, type LifecycleContext } from './context';
import { refuseLoss, type LossConsent } from './loss';
import type { DeletePreview } from './types';

/** What archive and restore need of delete and setup; the coordinator hands them over (pieces never call each other). */
export interface ArchiveSteps {
  /** The record with the folder git has its branch checked out in. */
  locate(record: WorkspaceRecord): Promise<WorkspaceRecord>;
  /** What removing the worktree would lose. */
  preview(record: WorkspaceRecord): Promise<DeletePreview>;
  /** Every session of the workspace, then its base terminal; a real stop failure throws before git is touched. */
  stopAll(record: WorkspaceRecord, stage: SetupStage): Promise<void>;
  /** Removes the worktree and prunes, keeping the branch. */
  removeWorktree(record: WorkspaceRecord, force: boolean): Promise<void>;
  /** Refuses when the record's folder exists but is not its worktree. */
  checkFolder(record: WorkspaceRecord): Promise<void>;
  /** Setup from `creating`: worktree, base terminal, includes, setup command, then `ready`; `signal` cancels it. */
  runSetup(workspaceId: string, setupCommand: string | undefined, signal?: AbortSignal): Promise<WorkspaceRecord>;
  /** The project file's teardown steps; a failure throws (unless forced) before anything is stopped or removed. */
  teardown(record: WorkspaceRecord, force: boolean): Promise<void>;
}

/** Statuses an archive starts from: a workspace with (or that should have) a worktree, and an archive to retry. */
const ARCHIVABLE = ['ready', 'error', 'archive_failed'] as const;

/**
 * Archive and Restore, with the workspace's lock (the coordinator takes it).
 * Archive: the delete guard, `archiving`, stop every session, remove the
 * worktree but keep the branch, `archived`. A failure (or a window that went
 * away) leaves `archive_failed`, which archiving again retries. Restore: from
 * `archived` to `creating`, then setup makes a new worktree on the kept
 * branch, so a failed restore is an ordinary `error` that Retry Setup retries.
 */
export class WorkspaceArchive {
  constructor(
    private readonly context: LifecycleContext,
    private readonly steps: ArchiveSteps,
  ) {}

  async archive(workspaceId: string, consent: LossConsent): Promise<WorkspaceRecord> {
    const { store } = this.context;
    const known = requireWorkspace(store, workspaceId);
    if (!(ARCHIVABLE as readonly string[]).includes(known.status)) {
      throw refused(`Workspace "${known.branch}" is ${statusWords(known)}; only a ready workspace (or a failed archive) can be archived.`);
    }
    const record = await this.steps.locate(known);
    await refuseLoss(record, consent, () => this.steps.preview(record), 'archive');
    await store.transition(workspaceId, [...ARCHIVABLE], { status: 'archiving', lastError: undefined });
    this.context.changed(workspaceId);
    await this.context.mirror(workspaceId);
    await this.context.step('archive:marked');
    try {
      await this.steps.teardown(record, consent.force ?? false);
      await this.steps.stopAll(record, 'archive');
      await this.steps.removeWorktree(record, consent.force ?? false);
      const archived = await store.transition(workspaceId, ['archiving'], { status: 'archived', lastError: undefined });
      this.context.log.info(`workspace "${record.branch}" archived: its worktree ${record.worktreePath} removed, branch "${record.branch}" kept`);
      return archived;
    } catch (error) {
      const message = error instanceof StageError ? error.message : `archive: ${errorMessage(error)}`;
      await store.update(workspaceId, { status: 'archive_failed', lastError: message });
      await this.context.mirror(workspaceId);
      throw failed(message, error instanceof StageError ? { stage: error.stage } : undefined);
    } finally {
      this.context.changed(workspaceId);
    }
  }

  /** Refuses, changing nothing, when the kept branch is gone, checked out elsewhere, or the folder is taken; else setup runs again. */
  async restore(workspaceId: string, setupCommand: string | undefined, signal?: AbortSignal): Promise<WorkspaceRecord> {
    const { store, git } = this.context;
    const record = requireWorkspace(store, workspaceId);
    if (record.status !== 'archived') throw refused(`Workspace "${record.branch}" is ${statusWords(record)}; only an archived workspace can be restored.`);
    if (!existsSync(record.repoPath)) throw refused(`The repository ${record.repoPath} is missing; restore needs it to make the worktree.`);
    if (!(await git.localBranchExists(record.repoPath, record.branch))) {
      throw refused(`Branch "${record.branch}" no longer exists in ${record.repoPath}; there is nothing to restore, so delete the archived workspace.`);
    }
    const elsewhere = await git.worktreeForBranch(record.repoPath, record.branch);
    if (elsewhere) throw refused(`Branch "${record.branch}" is checked out in ${elsewhere.path}; switch that checkout to another branch, then restore.`);
    await this.steps.checkFolder(record);
    await store.transition(workspaceId, ['archived'], { status: 'creating', lastError: undefined });
    this.context.changed(workspaceId);
    await this.context.step('restore:marked');
    return this.steps.runSetup(workspaceId, setupCommand, signal);
  }
}
