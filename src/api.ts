import type { Event } from './core/events';
import type {
  CreateWorkspaceRequest,
  LaunchRequest,
  LifecycleChange,
  SessionView,
  WorkspaceView,
} from './core/lifecycle/RuntimeLifecycle';
import type { RuntimeLifecycle } from './core/lifecycle/RuntimeLifecycle';
import type { SessionRecord, WorkspaceRecord } from './core/store/records';
import type { ChangedFile, WorktreeChangeSet } from './core/git/WorktreeChanges';

export type { ChangedFile, CreateWorkspaceRequest, LaunchRequest, LifecycleChange, SessionRecord, SessionView, WorkspaceRecord, WorkspaceView, WorktreeChangeSet };

/**
 * What `activate()` returns: the lifecycle's transitions for other extensions
 * and for the in-editor tests. Every call goes through the same service the
 * commands use, so the same rules hold.
 */
export interface TmuxWorkspacesApi {
  readonly version: 1;
  /** How long `activate()` took, in milliseconds (it waits on no tmux or git: those run after). */
  readonly activationMs: number;
  /** Records joined with live tmux state. */
  listWorkspaces(): Promise<WorkspaceView[]>;
  createWorkspace(request: CreateWorkspaceRequest): Promise<WorkspaceRecord>;
  launchSession(workspaceId: string, request: LaunchRequest): Promise<SessionRecord>;
  stopSession(sessionKey: string): Promise<void>;
  /** Refuses a dirty worktree or unpushed commits unless `force`. */
  deleteWorkspace(workspaceId: string, options?: { force?: boolean }): Promise<void>;
  reconcile(): Promise<void>;
  /** What a workspace changed against its base branch (since the merge base; committed, uncommitted, untracked). */
  worktreeChanges(workspaceId: string): Promise<WorktreeChangeSet | undefined>;
  readonly onDidChangeWorkspaces: Event<LifecycleChange>;
}

/** The API over one lifecycle. */
export function workspacesApi(lifecycle: RuntimeLifecycle, facts: { activationMs: number }): TmuxWorkspacesApi {
  return {
    version: 1,
    activationMs: facts.activationMs,
    listWorkspaces: () => lifecycle.listWorkspaces(),
    createWorkspace: (request) => lifecycle.createWorkspace(request),
    launchSession: (workspaceId, request) => lifecycle.launchSession(workspaceId, request),
    stopSession: (key) => lifecycle.stopSession(key),
    deleteWorkspace: (workspaceId, options) => lifecycle.deleteWorkspace(workspaceId, options),
    reconcile: () => lifecycle.reconcile(),
    worktreeChanges: (workspaceId) => lifecycle.worktreeChanges(workspaceId),
    onDidChangeWorkspaces: lifecycle.onDidChange,
  };
}
