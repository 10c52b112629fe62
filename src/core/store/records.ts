/** The records the lifecycle keeps, one store key each. */

export const SCHEMA_VERSION = 1;

/**
 * `archiving` → `archived`: the worktree removed, the branch and this record
 * kept (Restore makes a new worktree from it, through `creating`). An archive
 * that failed or was interrupted is `archive_failed`, retried by archiving again.
 */
export type WorkspaceStatus = 'creating' | 'ready' | 'error' | 'deleting' | 'deletion_failed' | 'archiving' | 'archived' | 'archive_failed';

export type SetupStage = 'worktree' | 'terminal' | 'include' | 'setup' | 'teardown' | 'delete' | 'archive';

export interface SetupEvent {
  readonly stage: SetupStage;
  readonly outcome: 'started' | 'ok' | 'failed' | 'skipped';
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly detail?: string;
  /** Which step of a `setup` or `teardown` stage (its name, from the project file or the setup command). */
  readonly step?: string;
  /** How long it took, on an outcome that ends a step. */
  readonly ms?: number;
  /** A hash of the step's command line, on `ok` (see `stepDigest`): a step edited since, its name kept, is not done. */
  readonly digest?: string;
}

/** A block of ports a workspace holds for its life (see `WorkspacePorts`): `first` … `first + count - 1`. */
export interface PortBlock {
  readonly first: number;
  readonly count: number;
}

export interface WorkspaceRecord {
  /** The machine the record belongs to (see `RecordStore`). */
  readonly host?: string;
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
  /** Set when reconcile restored the record from its worktree's mirror: when, and from what (see `RecordMirror`). */
  readonly repairNote?: string;
  /** Its ports; absent on records made before ports existed, until a pane is next started for it. */
  readonly ports?: PortBlock;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type SessionKind = 'agent' | 'shell';

/**
 * Where a session's first prompt is. It is written before the paste, so a
 * window that reloads finds `delivering` and never pastes again: `unknown`.
 */
export type PromptState = 'pending' | 'delivering' | 'delivered' | 'failed' | 'unknown';

export interface PromptAttempt {
  readonly state: PromptState;
  /** Milliseconds since the epoch: when the launch recorded it, or when the state last changed. */
  readonly at: number;
  /** Names the one delivery that claimed it. */
  readonly attempt?: string;
  /** Why it failed or is unknown, in words for the user. */
  readonly detail?: string;
}

/** A message for a running agent that waits until the agent is no longer working (Send to Agent). */
export interface QueuedMessage {
  readonly id: string;
  /** When it was queued, milliseconds since the epoch. */
  readonly at: number;
  /** Its first line, shortened, for the row's tooltip. */
  readonly preview: string;
}

export interface SessionRecord {
  /** The machine the record belongs to (see `RecordStore`). */
  readonly host?: string;
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
  /** The first prompt, when the launch had one. */
  readonly prompt?: PromptAttempt;
  /** Messages waiting for the agent to stop working, oldest first; their text is in 0600 files. */
  readonly queued?: readonly QueuedMessage[];
  /** The agent's conversation id, as its hooks reported it. */
  readonly conversationId?: string;
  /** The argv that resumes the conversation, `{id}` standing for its id; absent when the agent cannot resume. */
  readonly resumeArgv?: readonly string[];
  /** Set when reconcile restored the record from its tmux session: when, and from what (see `RecordMirror`). */
  readonly repairNote?: string;
}

/**
 * A session that did not end on its own (a reboot, a killed tmux server): an
 * agent whose conversation can be resumed, a shell to restore at its folder,
 * or an agent that cannot be resumed (`notResumable` says why). A record of
 * what was, kept until resumed, restored or dismissed.
 */
export interface ResumableRecord {
  /** The machine the record belongs to (see `RecordStore`). */
  readonly host?: string;
  readonly v: number;
  /** The key of the session it was (its tmux name: the name its saved scrollback goes by). */
  readonly key: string;
  readonly workspaceId: string;
  /** Absent in records written before shells were kept: an agent. */
  readonly kind?: SessionKind;
  readonly agentId?: string;
  readonly label: string;
  /** An agent's conversation; absent for a shell, and for an agent that never reported one. */
  readonly conversationId?: string;
  /** An agent's resume argv (`{id}` for the conversation); absent for a shell, and for an agent that has none. */
  readonly resumeArgv?: readonly string[];
  /** Why this agent cannot be resumed, in words for the user. */
  readonly notResumable?: string;
  /** When the session it was had started. */
  readonly startedAt: number;
  /** When it was found gone. */
  readonly stoppedAt: number;
}

/** Only the newest setup events are kept; the full output lives in the setup log. */
export const MAX_SETUP_EVENTS = 30;
