/** The records the lifecycle keeps, one store key each. */

export const SCHEMA_VERSION = 1;

export type WorkspaceStatus = 'creating' | 'ready' | 'error' | 'deleting' | 'deletion_failed';

export const WORKSPACE_STATUSES: readonly WorkspaceStatus[] = ['creating', 'ready', 'error', 'deleting', 'deletion_failed'];

export type SetupStage = 'worktree' | 'terminal' | 'include' | 'setup' | 'delete';

export interface SetupEvent {
  readonly stage: SetupStage;
  readonly outcome: 'started' | 'ok' | 'failed' | 'skipped';
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly detail?: string;
}

export interface WorkspaceRecord {
  readonly v: number;
  readonly id: string;
  readonly repoPath: string;
  readonly branch: string;
  readonly baseBranch: string;
  readonly worktreePath: string;
  /** Whether the branch was to be created from the base (`new`) or checked out (`existing`). */
  readonly branchSource: 'new' | 'existing';
  /** Only a branch this workspace created is deleted with it. */
  readonly createdBranch: boolean;
  readonly status: WorkspaceStatus;
  readonly lastError?: string;
  readonly setupEvents: readonly SetupEvent[];
  readonly baseSession: string;
  /** Why there is no base terminal, when there cannot be one (tmux missing). */
  readonly baseNote?: string;
  readonly setupLog?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type SessionKind = 'agent' | 'shell';

export interface SessionRecord {
  readonly v: number;
  /** The tmux session name; with `createdAt` it names one generation of the session. */
  readonly key: string;
  readonly workspaceId: string;
  readonly kind: SessionKind;
  readonly agentId?: string;
  readonly label: string;
  readonly tmuxName: string;
  readonly launchId: string;
  readonly command: readonly string[];
  readonly createdAt: number;
}

/** Only the newest setup events are kept; the full output lives in the setup log. */
export const MAX_SETUP_EVENTS = 30;
