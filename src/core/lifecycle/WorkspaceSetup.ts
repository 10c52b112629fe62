import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { WorkspaceError, errorMessage, failed, refused } from '../errors';
import { baseSessionName, defaultWorktreePath } from '../naming';
import { loadProjectFile } from '../project/projectFile';
import { SCHEMA_VERSION, type SetupStage, type WorkspaceRecord } from '../store/records';
import type { WorkspaceVariables } from './workspaceEnvironment';
import { StageError, requireWorkspace, type LifecycleContext } from './context';
import { ProjectSetup } from './ProjectSetup';
import { ProjectSteps } from './ProjectSteps';
import { includeWorktreeFiles } from './worktreeInclude';

/** The longest file name most file systems take (ext4, APFS, NTFS count 255 bytes or units). */
const MAX_NAME_BYTES = 255;
const NO_TMUX_NOTE = 'No base terminal: tmux is not installed. Install tmux, then attach to create it.';

/** What a failed worktree stage left behind, so its rollback undoes that and nothing else. */
interface Made {
  worktree: boolean;
  branch: boolean;
}

/** A new workspace's record, and its setup: stages, rollback, the setup steps and their log. With the workspace's lock. */
export class WorkspaceSetup {
  private readonly steps: ProjectSteps;
  private readonly setupSteps: ProjectSetup;

  constructor(
    private readonly context: LifecycleContext,
    private readonly startBase: (record: WorkspaceRecord) => Promise<void>,
    /** The workspace's variables (its ports allocated first, if it has none), for every setup step. */
    variables: WorkspaceVariables = async () => ({}),
    /** Refuses the variables a new workspace of the repository would get, if any is bad. */
    private readonly checkVariables: (repoPath: string) => Promise<void> = async () => {},
  ) {
    this.steps = new ProjectSteps(context, variables);
    this.setupSteps = new ProjectSetup(context, this.steps);
  }

  /** Where the setup steps' output goes. */
  logPath(workspaceId: string): string {
    return this.steps.logPath(workspaceId);
  }

  /** Writes the `creating` record, or resolves to the workspace that has this branch already. With the repository's lock too. */
  async record(id: string, repoPath: string, branch: string, source: 'new' | 'existing', requestedBase: string | undefined): Promise<WorkspaceRecord | undefined> {
    const { store, git, options } = this.context;
    const existing = store.workspaces().find((ws) => ws.repoPath === repoPath && ws.branch === branch);
    if (existing) return existing;
    // A bad project file or variable is refused before anything exists: no record, worktree or branch.
    await loadProjectFile(repoPath);
    await this.checkVariables(repoPath);
    if (source === 'new' && (await git.localBranchExists(repoPath, branch))) {
      throw refused(`Branch "${branch}" already exists. Pick it as an existing branch instead.`);
    }
    const worktreePath = this.freeFolder(defaultWorktreePath(repoPath, branch, options.worktreeRoot));
    const tooLong = worktreePath.split(sep).find((part) => Buffer.byteLength(part) > MAX_NAME_BYTES);
    if (tooLong !== undefined) throw refused(`The folder name "${tooLong}" for branch "${branch}" is over ${MAX_NAME_BYTES} bytes; choose a shorter branch name.`);
    if (existsSync(worktreePath)) throw refused(`The folder ${worktreePath} already exists; remove it or choose another branch name.`);
    const base = requestedBase?.trim() || (await git.defaultBranch(repoPath));
    const now = Date.now();
    await store.putWorkspace({
      v: SCHEMA_VERSION,
      id,
      repoPath,
      branch,
      baseBranch: base,
      branchSource: source,
      worktreePath,
      createdBranch: false,
      status: 'creating',
      setupEvents: [],
      baseSession: baseSessionName(id),
      createdAt: now,
      updatedAt: now,
    });
    this.context.changed(id);
    return undefined;
  }

  /** `path`, or `path-2`, `path-3`, … : the first folder no record owns (`feat-z` and `feat/z` share a name). */
  private freeFolder(path: string): string {
    const owned = new Set(this.context.store.workspaces().map((ws) => ws.worktreePath));
    let candidate = path;
    for (let n = 2; owned.has(candidate); n++) candidate = `${path}-${n}`;
    return candidate;
  }

  /** Refuses (changing nothing) when the record's folder exists but is not a worktree of its repository with its branch. */
  async checkFolder(record: WorkspaceRecord): Promise<void> {
    if (!existsSync(record.worktreePath)) return;
    if (await this.context.git.isWorktreeOf(record.repoPath, record.worktreePath, record.branch)) return;
    throw refused(`The folder ${record.worktreePath} is not a worktree of ${record.repoPath} with branch "${record.branch}"; move it away or delete the workspace.`);
  }

  /**
   * From `creating`: worktree, base terminal, includes, setup command, then
   * `ready`; each only if missing, so a retry runs what failed. On a failure
   * `error`; only a failed worktree stage is rolled back (after it, the
   * worktree and base terminal are kept for the user to look at and fix).
   */
  async run(workspaceId: string, setupCommand: string | undefined, signal?: AbortSignal): Promise<WorkspaceRecord> {
    const { store, tmux } = this.context;
    const made: Made = { worktree: false, branch: false };
    let record = requireWorkspace(store, workspaceId);
    try {
      await this.checkFolder(record);
      // Read once per attempt: the steps that run are those of the file as it is now.
      const project = await loadProjectFile(record.repoPath);
      if (!existsSync(record.worktreePath)) {
        await this.stage(workspaceId, 'worktree', async () => {
          record = await this.addWorktree(record, made);
        });
      }
      stopIfCancelled(signal, 'terminal');
      if (await tmux.available()) {
        await this.stage(workspaceId, 'terminal', async () => {
          if (await tmux.hasSession(record.baseSession)) return;
          await this.startBase(record);
        });
      } else {
        await store.addSetupEvent(workspaceId, { stage: 'terminal', outcome: 'skipped', at: Date.now(), detail: NO_TMUX_NOTE });
        record = (await store.update(workspaceId, { baseNote: NO_TMUX_NOTE })) ?? record;
      }
      stopIfCancelled(signal, 'include');
      // A kept worktree had its files copied: copying again would bring back ones the user removed.
      if (made.worktree || !includedBefore(record)) await this.stage(workspaceId, 'include', async () => {
        const trusted = this.context.options.isTrusted?.() ?? true;
        const { note } = await includeWorktreeFiles(record.repoPath, record.worktreePath, { trusted, extra: project?.file.include });
        if (note) this.context.log.info(`workspace ${workspaceId}: ${note}`);
        // Skipped, not done: a Retry Setup once the workspace is trusted copies them.
        return trusted ? note : { detail: note ?? 'not trusted', skipped: true };
      });
      stopIfCancelled(signal, 'setup');
      await this.setupSteps.run(requireWorkspace(store, workspaceId), setupCommand, project, signal);
      const ready = await store.transition(workspaceId, ['creating'], { status: 'ready', lastError: undefined });
      this.context.changed(workspaceId);
      await this.context.mirror(workspaceId);
      return ready;
    } catch (error) {
      throw await this.failed(record, made, error);
    }
  }

  /** The worktree stage; the branch is claimed in the record before git makes it. */
  private async addWorktree(record: WorkspaceRecord, made: Made): Promise<WorkspaceRecord> {
    const { store, git } = this.context;
    await mkdir(join(record.worktreePath, '..'), { recursive: true });
    const branchExists = await git.localBranchExists(record.repoPath, record.branch);
    // A retry after a rollback that deleted the new branch creates it again.
    const source = record.branchSource === 'new' && !branchExists
      ? ({ kind: 'new', branch: record.branch, base: record.baseBranch } as const)
      : ({ kind: 'existing', branch: record.branch } as const);
    // Claimed before git makes it, so a crash right after `worktree add` still deletes it with the workspace.
    if (!branchExists && !record.createdBranch) {
      record = (await store.update(record.id, { createdBranch: true })) ?? record;
      await this.context.step('create:branch-claimed');
    }
    let createdBranch: boolean;
    try {
      ({ createdBranch } = await git.addWorktree(record.repoPath, record.worktreePath, source));
    } catch (error) {
      // git may fail after making things (a failing post-checkout hook): roll back by what exists now.
      const branchNow = !branchExists && (await git.localBranchExists(record.repoPath, record.branch));
      made.worktree = existsSync(record.worktreePath);
      made.branch = branchNow;
      // No branch was made: a claim left behind would delete one that someone makes later.
      if (!branchExists && record.createdBranch && !branchNow) {
        record = (await store.update(record.id, { createdBranch: false })) ?? record;
      }
      throw error;
    }
    made.worktree = true;
    made.branch = createdBranch;
    await this.context.step('create:worktree-added');
    if (createdBranch && !record.createdBranch) record = (await store.update(record.id, { createdBranch: true })) ?? record;
    return record;
  }

  /** Records `error` with the stage-prefixed message (and what a worktree rollback could not undo); the error to throw. */
  private async failed(record: WorkspaceRecord, made: Made, error: unknown): Promise<WorkspaceError> {
    const rollbackProblems = error instanceof StageError && error.stage === 'worktree' ? await this.rollBack(record, made) : '';
    const message = (error instanceof StageError ? error.message : errorMessage(error)) + rollbackProblems;
    await this.context.store.update(record.id, { status: 'error', lastError: message });
    this.context.changed(record.id);
    await this.context.mirror(record.id);
    return error instanceof StageError && error.cause instanceof WorkspaceError
      ? new WorkspaceError(error.cause.kind, message, error.cause.details)
      : failed(message);
  }

  /** Runs one setup stage, recording its start and outcome so the UI can show progress. */
  private async stage(workspaceId: string, stage: SetupStage, work: () => Promise<string | void | { detail: string; skipped: true }>): Promise<void> {
    const { store } = this.context;
    await store.addSetupEvent(workspaceId, { stage, outcome: 'started', at: Date.now() });
    this.context.changed(workspaceId);
    try {
      const done = await work();
      const { detail, outcome } = typeof done === 'object' ? { detail: done.detail, outcome: 'skipped' as const } : { detail: done, outcome: 'ok' as const };
      await this.context.step(`create:${stage}-done`);
      await store.addSetupEvent(workspaceId, { stage, outcome, at: Date.now(), ...(detail ? { detail } : {}) });
      this.context.changed(workspaceId);
      await this.context.step(`create:${stage}-recorded`);
    } catch (error) {
      await store.addSetupEvent(workspaceId, { stage, outcome: 'failed', at: Date.now(), detail: errorMessage(error) });
      throw new StageError(stage, error);
    }
  }

  /** Undoes what a failed worktree stage left (git may fail after making things); a worktree with changes is kept, and the message says so. */
  private async rollBack(record: WorkspaceRecord, made: Made): Promise<string> {
    const { git, store } = this.context;
    const problems: string[] = [];
    if (made.worktree) {
      try {
        await git.removeWorktree(record.repoPath, record.worktreePath, { force: false });
        await git.prune(record.repoPath);
        if (made.branch) {
          await git.deleteBranch(record.repoPath, record.branch);
          await store.update(record.id, { createdBranch: false });
        }
      } catch (error) {
        problems.push(`the new worktree was kept (${errorMessage(error)})`);
      }
    }
    return problems.length > 0 ? ` (rollback: ${problems.join('; ')})` : '';
  }
}

/**
 * A Cancel seen between stages ends setup as a cancelled step does: `error`,
 * what was made kept, Retry Setup resuming at `next`, the stage not begun.
 */
function stopIfCancelled(signal: AbortSignal | undefined, next: SetupStage): void {
  if (signal?.aborted) throw new StageError(next, failed(`Setup was cancelled before the ${next} stage.`, { namesStage: true }));
}

/** Whether the worktree now in place had its `.worktreeinclude` files copied: an `include` ok since its `worktree` ok. */
function includedBefore(record: WorkspaceRecord): boolean {
  const events = record.setupEvents;
  const lastWorktree = events.map((event) => event.stage === 'worktree' && event.outcome === 'ok').lastIndexOf(true);
  return events.some((event, i) => i > lastWorktree && event.stage === 'include' && event.outcome === 'ok');
}
