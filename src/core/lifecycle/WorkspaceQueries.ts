import { existsSync } from 'node:fs';
import { WorkspaceError, errorMessage } from '../errors';
import { operationInProgress } from '../git/Landing';
import { textAt, worktreeChanges, type WorktreeChangeSet } from '../git/WorktreeChanges';
import type { LiveSession } from '../tmux/TmuxClient';
import { isSameLaunch, type LifecycleContext } from './context';
import type { BranchChoices, WorkspaceView } from './types';

/** Questions about workspaces that change nothing, so they take no lock. */
export class WorkspaceQueries {
  constructor(
    private readonly context: LifecycleContext,
    /** The current listing (kept or new). */
    private readonly listing: () => Promise<LiveSession[]>,
  ) {}

  /** Records joined with live tmux state, from one `list-sessions` call. */
  async views(): Promise<WorkspaceView[]> {
    const { store } = this.context;
    const byName = new Map((await this.listing()).map((session) => [session.name, session]));
    const sessions = store.sessions();
    const resumable = store.resumables();
    return store.workspaces().map((record) => {
      const base = byName.get(record.baseSession);
      return {
        record,
        folder: existsSync(record.worktreePath),
        base: { name: record.baseSession, alive: base !== undefined, attachedClients: base?.attachedClients ?? 0 },
        sessions: sessions
          .filter((session) => session.workspaceId === record.id)
          .map((session) => {
            const tmuxSession = byName.get(session.tmuxName);
            return {
              record: session,
              alive: tmuxSession !== undefined && isSameLaunch(tmuxSession, session),
              attachedClients: tmuxSession?.attachedClients ?? 0,
            };
          }),
        resumable: resumable.filter((agent) => agent.workspaceId === record.id),
      };
    });
  }

  /** What the workspace changed against its base (committed since the merge base, and not yet committed) and any merge or rebase stopped on conflicts; undefined without a worktree. */
  async changes(workspaceId: string): Promise<WorktreeChangeSet | undefined> {
    const record = this.context.store.workspace(workspaceId);
    if (!record || !existsSync(record.worktreePath)) return undefined;
    const [changes, inProgress] = await Promise.all([worktreeChanges(this.context.git, record.worktreePath, record.baseBranch), operationInProgress(record.worktreePath)]);
    return inProgress ? { ...changes, inProgress } : changes;
  }

  /** A file's text at `commit` in the workspace's worktree: the left side of its diff. */
  async textAt(workspaceId: string, commit: string, path: string): Promise<string> {
    const record = this.context.store.workspace(workspaceId);
    if (!record || !existsSync(record.worktreePath)) throw new WorkspaceError('gone', 'That workspace or its worktree no longer exists.');
    return textAt(this.context.git, record.worktreePath, commit, path);
  }

  /** What a create dialog offers: branches to check out (not those another worktree has) and the default base. */
  async branchChoices(repoPath: string): Promise<BranchChoices> {
    const { git } = this.context;
    const repo = await git.repositoryRoot(repoPath);
    const [branches, worktrees, defaultBranch] = await Promise.all([
      git.listBranches(repo),
      git.listWorktrees(repo),
      git.defaultBranch(repo),
    ]);
    const checkedOut = new Set(worktrees.map((worktree) => worktree.branch).filter(Boolean));
    const local = branches.local.filter((branch) => !checkedOut.has(branch));
    const remote = branches.remote.filter((ref) => !branches.local.includes(ref.slice(ref.indexOf('/') + 1)));
    return { repoPath: repo, local, remote, defaultBranch };
  }

  /** Why `name` cannot be a new branch in `repoPath`, or undefined when it can. */
  async newBranchProblem(repoPath: string, name: string): Promise<string | undefined> {
    const { git, log } = this.context;
    try {
      await git.checkBranchName(repoPath, name.trim());
    } catch (error) {
      // The answer to the question asked, not a failure of ours.
      log.debug(`branch name "${name.trim()}" refused: ${errorMessage(error)}`);
      return errorMessage(error);
    }
    if (await git.localBranchExists(repoPath, name.trim())) return `Branch "${name.trim()}" already exists; pick it from the list instead.`;
    return undefined;
  }
}
