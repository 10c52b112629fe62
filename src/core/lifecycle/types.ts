import type { StatusChange } from '../agents/AgentStatus';
import type { Disposable, Event } from '../events';
import type { GitClient } from '../git/GitClient';
import type { GhCli } from '../github/GhCli';
import type { Logger } from '../log';
import type { RecordStore } from '../store/RecordStore';
import type { ResumableRecord, SessionKind, SessionRecord, WorkspaceRecord } from '../store/records';
import type { TmuxClient } from '../tmux/TmuxClient';
import type { StatusLineMode } from '../tmux/statusLine';
import type { TransitionLock } from './TransitionLock';
import type { PortOverride } from './portBlocks';
import type { EnvironmentLayer } from './workspaceEnvironment';
import type { ProjectApproval } from '../project/projectGate';

export interface LifecycleOptions {
  readonly tmux: TmuxClient;
  readonly git: GitClient;
  readonly store: RecordStore;
  /** A private folder for handoff files, exit statuses and setup logs. */
  readonly stateDir: string;
  /** Where worktrees go; default: `<repo>.worktrees/` beside each repository. */
  readonly worktreeRoot?: string;
  /** A recorded-nowhere session younger than this is a launch in progress, not an orphan. */
  readonly orphanGraceMs?: number;
  /**
   * Whether `reconcile` kills orphans (owner-marked, unrecorded, past the grace
   * period). Default no, as the `tmuxWorkspaces.reapOrphans` setting.
   */
  readonly reapOrphans?: boolean;
  /** The safety-net reconcile period behind the session watcher; 0 disables it. */
  readonly safetyNetMs?: number;
  /** What new sessions' tmux status line shows (the `tmuxWorkspaces.statusLine` setting), asked at each launch; default `workspace`. */
  readonly statusLine?: () => StatusLineMode;
  /** The login shell for base terminals and shell sessions. */
  readonly shell?: string;
  /**
   * Whether the editor trusts the open workspace (`vscode.workspace.isTrusted`),
   * asked at each setup: an untrusted one does not get its `.worktreeinclude`
   * applied (the setup log says so). Default: trusted (tests, one process).
   */
  readonly isTrusted?: () => boolean;
  /**
   * Port settings for a repository's workspaces, in layers (later ones win over
   * the defaults and earlier ones). Today one layer, the user's settings; a
   * repository's project file (#15.3, not merged yet) goes below it. Asked when a workspace gets its block.
   */
  readonly ports?: (repoPath: string) => readonly (PortOverride & { readonly source?: string })[];
  /**
   * User-defined variables for a repository's workspaces, in layers (a later
   * layer's variable wins): `tmuxWorkspaces.env`. The repository's project
   * file's `env` is read by the lifecycle and goes below it (trusted workspaces only).
   * Asked at each pane start and setup (see `workspaceEnvironment`).
   */
  readonly environmentTemplates?: (repoPath: string) => readonly EnvironmentLayer[];
  /** The environment the setup command runs with. */
  readonly environment?: NodeJS.ProcessEnv;
  /**
   * Asks the user whether a repository's `.tmux-workspaces.json` commands may
   * run (a modal with the exact commands); true to run them. Asked only when
   * the file's text has no approval yet. Default: nobody to ask, so they never run.
   */
  readonly approveProject?: (request: ProjectApproval) => Promise<boolean>;
  /** How long teardown steps may take altogether before the delete or archive stops (default 2 minutes). */
  readonly teardownTimeoutMs?: () => number;
  /** Serialises a workspace's transitions; across windows with a `FileLock`. Default: this process only. */
  readonly lock?: TransitionLock;
  /** Tells other windows that records changed, and this one when they did. */
  readonly marker?: ChangeSignal;
  /**
   * Called between the steps of every transition (after each tmux call, git
   * call and record write) with the step's name. The crash tests end the
   * process at each step; nothing else needs it.
   */
  readonly onStep?: (step: string) => void | Promise<void>;
  /** How long an agent has to get ready for its first prompt (default 30 s). */
  readonly promptWaitMs?: number;
  /** Agents' hook reports (`AgentStatusMonitor`): the conversation ids they carry are recorded. */
  readonly agentReports?: Event<StatusChange>;
  /** The GitHub CLI for pull requests; default `gh` on PATH. */
  readonly gh?: GhCli;
  /** How many lines of each session's history are saved (the `tmuxWorkspaces.scrollbackLines` setting), asked at each save; 0: none. */
  readonly scrollbackLines?: () => number;
  /** How often live sessions' history is saved when it changed (default 60 s); 0: only on stop and at window close. */
  readonly scrollbackSaveMs?: number;
  /** Where failures that stop nothing go (a safety-net reconcile, a cleanup); default: nowhere. */
  readonly log?: Logger;
}

/** A cross-window "records changed" signal (`ChangeMarker`). */
export interface ChangeSignal {
  touch(): void;
  onDidChange(listener: () => void): Disposable;
}

export interface CreateWorkspaceRequest {
  readonly repoPath: string;
  readonly branch: string;
  /** `new` (default) creates the branch from `base`; `existing` checks out a local or remote branch. */
  readonly source?: 'new' | 'existing';
  /** The branch a new branch starts from; default: the repository's default branch. */
  readonly base?: string;
  readonly setupCommand?: string;
  /** Aborting stops the running setup step (the workspace is left `error`, and Retry Setup resumes at that step). */
  readonly signal?: AbortSignal;
}

export interface LaunchRequest {
  readonly kind: SessionKind;
  readonly label?: string;
  readonly agentId?: string;
  /** The agent's argv; a shell defaults to the login shell. */
  readonly command?: readonly string[];
  /** Extra variables for the pane, delivered through the handoff file. */
  readonly environment?: Readonly<Record<string, string>>;
  /** A first prompt for the agent: pasted once it is ready for input, never put on its command line. */
  readonly prompt?: string;
  /** The argv that resumes the agent's conversation, `{id}` standing for the id (see `resumeTemplate`). */
  readonly resumeArgv?: readonly string[];
  /** The conversation this launch continues (a resume), kept so it can be resumed again. */
  readonly conversationId?: string;
}

export interface SessionView {
  readonly record: SessionRecord;
  readonly alive: boolean;
  readonly attachedClients: number;
}

export interface WorkspaceView {
  readonly record: WorkspaceRecord;
  /** Whether the worktree folder exists (a failed worktree stage, or the user, may have left none). */
  readonly folder: boolean;
  readonly base: { readonly name: string; readonly alive: boolean; readonly attachedClients: number };
  readonly sessions: readonly SessionView[];
  /** Agents that stopped without exiting on their own (a reboot) and can be resumed. */
  readonly resumable?: readonly ResumableRecord[];
}

export interface BranchChoices {
  readonly repoPath: string;
  readonly local: readonly string[];
  readonly remote: readonly string[];
  readonly defaultBranch: string;
}

export interface DeletePreview {
  readonly dirtyFiles: readonly string[];
  readonly unpushedCommits: readonly string[];
  /** The repository's project file has teardown steps, which run in the worktree first (a file that cannot be read counts: its teardown is unknown). */
  readonly teardown?: boolean;
}

/** What Merge into base did: nothing (the branch was in its base already), or a merge in `checkout` (none: the branch ref moved). */
export type MergeOutcome =
  | { readonly kind: 'already-merged'; readonly base: string }
  | { readonly kind: 'merged'; readonly base: string; readonly fastForward: boolean; readonly checkout?: string };

/** What Create Pull Request did: gh made it, or the editor takes over (the pull request extension, else `compareUrl`, when the remote is a web host). */
export type PullRequestOutcome =
  | { readonly kind: 'created'; readonly url: string }
  | { readonly kind: 'handover'; readonly base: string; readonly branch: string; readonly compareUrl?: string };

export interface AttachTarget {
  readonly tmuxName: string;
  readonly argv: readonly string[];
}

export type LifecycleChange =
  | { readonly type: 'workspace'; readonly workspaceId: string }
  | { readonly type: 'workspace-removed'; readonly workspaceId: string }
  | { readonly type: 'session-started'; readonly session: SessionRecord }
  | {
      readonly type: 'session-ended';
      readonly session: SessionRecord;
      readonly natural: boolean;
      readonly exitCode?: number;
      /** The last lines a failed agent printed. */
      readonly lastLines?: string;
      /** It stopped without exiting on its own and was kept as resumable. */
      readonly resumable?: boolean;
    }
  /** A first prompt changed state; `detail` says why when it failed or is unknown. */
  | { readonly type: 'prompt'; readonly session: SessionRecord; readonly detail?: string }
  /** Messages queued for an agent (Send to Agent) changed: one was queued, delivered or cancelled. */
  | { readonly type: 'queue'; readonly session: SessionRecord }
  | { readonly type: 'reconciled' }
  /** Reconcile restored or retired a record from what its resource carries; `note` says which and why (it is in the log too). */
  | { readonly type: 'repaired'; readonly workspaceId: string; readonly note: string }
  /** Another window changed records; what changed is not known here. */
  | { readonly type: 'external' }
  /** Sessions or attached clients on the tmux server changed (any window). */
  | { readonly type: 'tmux' };
