import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { STATUS_FILE_VARIABLE, agentStatusDir, statusFilePath, type StatusChange } from '../agents/AgentStatus';
import { PromptDelivery, checkPrompt } from '../agents/PromptDelivery';
import { resumeCommand } from '../agents/resume';
import { WorkspaceError, errorMessage, failed, refused } from '../errors';
import { Emitter, type Disposable, type Event } from '../events';
import type { Logger } from '../log';
import type { GitClient } from '../git/GitClient';
import { SESSION_PREFIX, baseSessionName, defaultWorktreePath, isOurSessionName, newWorkspaceId, runtimeSessionName } from '../naming';
import type { RecordStore } from '../store/RecordStore';
import type { ResumableRecord, SessionKind, SessionRecord, SetupStage, WorkspaceRecord } from '../store/records';
import { SCHEMA_VERSION } from '../store/records';
import { PaneLauncher } from '../tmux/PaneLauncher';
import { SessionWatcher } from '../tmux/SessionWatcher';
import { MARKER, type LiveSession, type TmuxClient } from '../tmux/TmuxClient';
import { ProcessLock, type TransitionLock } from './TransitionLock';
import { copyWorktreeIncludes } from './worktreeInclude';
import { shellQuote } from '../shell';
import { privateFolder } from '../privateFolder';

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
   * period). Default yes; the extension passes `tmuxWorkspaces.reapOrphans`, off by default.
   */
  readonly reapOrphans?: boolean;
  /** The safety-net reconcile period behind the session watcher; 0 disables it. */
  readonly safetyNetMs?: number;
  /** The login shell for base terminals and shell sessions. */
  readonly shell?: string;
  /** The environment the setup command runs with. */
  readonly environment?: NodeJS.ProcessEnv;
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
  /** Where the lifecycle writes what it does and what failed; default: nowhere. */
  readonly log?: Logger;
  /** How long an agent has to get ready for its first prompt (default 30 s). */
  readonly promptWaitMs?: number;
  /** Agents' hook reports (`AgentStatusMonitor`): the conversation ids they carry are recorded. */
  readonly agentReports?: Event<StatusChange>;
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
}

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
  | { readonly type: 'reconciled' }
  /** Another window changed records; what changed is not known here. */
  | { readonly type: 'external' }
  /** Sessions or attached clients on the tmux server changed (any window). */
  | { readonly type: 'tmux' };

/** Watcher notifications about attached clients: nothing ended, but the tree's "attached" counts changed. */
const CLIENT_NOTIFICATIONS = new Set(['%client-session-changed', '%client-detached']);

/** Reaping is done by one window at a time. */
const REAPER_LOCK = 'reaper';
const INTERRUPTED_SETUP = 'setup was interrupted; retry setup or delete';
const INTERRUPTED_DELETE = 'deletion was interrupted; retry deletion';
const NO_TMUX_NOTE = 'No base terminal: tmux is not installed. Install tmux, then attach to create it.';

/** What one exit check forgot, and the list-sessions result its last pass made. */
interface ExitCheck {
  readonly ended: SessionRecord[];
  readonly listing: LiveSession[] | undefined;
}

/** A failure inside one stage of a transition; its message gets the stage as prefix. */
class StageError extends Error {
  constructor(
    readonly stage: SetupStage,
    readonly cause: unknown,
  ) {
    super(`${stage}: ${errorMessage(cause)}`);
  }
}

/**
 * The one place that sequences tmux, git and records. Callers ask for
 * transitions; they never kill, forget or remove anything themselves.
 */
export class RuntimeLifecycle implements Disposable {
  private readonly tmux: TmuxClient;
  private readonly git: GitClient;
  private readonly store: RecordStore;
  private readonly panes: PaneLauncher;
  private readonly watcher: SessionWatcher;
  private readonly lock: TransitionLock;
  private readonly prompts: PromptDelivery;
  private readonly reportSubscription: Disposable | undefined;
  private readonly changes = new Emitter<LifecycleChange>();
  private readonly options: LifecycleOptions;
  private safetyNet: NodeJS.Timeout | undefined;
  private exitCheck: Promise<ExitCheck> | undefined;
  private exitCheckAgain = false;
  private exitCheckTimer: NodeJS.Timeout | undefined;
  /** The last listing, while nothing can have changed since (see `rememberedListing`). */
  private listing: { readonly sessions: LiveSession[]; readonly mutations: number } | undefined;
  private listingInFlight: { readonly mutations: number; readonly sessions: Promise<LiveSession[]> } | undefined;
  private ownerId: Promise<string> | undefined;
  private disposed = false;

  readonly onDidChange = this.changes.event;

  constructor(options: LifecycleOptions) {
    this.options = options;
    this.tmux = options.tmux;
    this.git = options.git;
    this.store = options.store;
    this.panes = new PaneLauncher(options.stateDir, options.tmux.command[0]);
    this.lock = options.lock ?? new ProcessLock();
    this.prompts = new PromptDelivery({
      tmux: options.tmux,
      store: options.store,
      dir: join(options.stateDir, 'prompts'),
      lock: (key, task) => this.lock.run(key, task),
      waitMs: options.promptWaitMs,
      changed: (session, detail) => this.emit({ type: 'prompt', session, detail }),
    });
    this.watcher = new SessionWatcher(options.tmux);
    this.watcher.onDidChangeSessions((notification) => this.scheduleExitCheck(notification));
    options.marker?.onDidChange(() => this.changes.fire({ type: 'external' }));
    this.reportSubscription = options.agentReports?.(({ sessionKey, report }) => {
      if (report.conversationId && !this.disposed) void this.recordConversation(sessionKey, report.conversationId).catch(() => undefined);
    });
  }

  /** Activation: reconcile what a previous window left, then watch for exits. */
  async start(): Promise<void> {
    await this.reconcile({ activation: true });
    await this.panes.sweepHandoffs().catch(() => 0);
    await this.prompts.resume(this.store.sessions());
    if ((await this.tmux.available()) && this.store.sessions().length + this.store.workspaces().length > 0) {
      this.watcher.ensureRunning();
    }
    const period = this.options.safetyNetMs ?? 30_000;
    if (period > 0) {
      this.safetyNet = setInterval(() => void this.reconcile().catch(() => undefined), period);
      this.safetyNet.unref();
    }
  }

  tmuxAvailable(): Promise<boolean> {
    return this.tmux.available();
  }

  // ---------------------------------------------------------------- queries

  /** Records joined with live tmux state, from one `list-sessions` call. */
  async listWorkspaces(): Promise<WorkspaceView[]> {
    const live = await this.sessionsNow();
    const byName = new Map(live.map((session) => [session.name, session]));
    const sessions = this.store.sessions();
    const resumable = this.store.resumables();
    return this.store.workspaces().map((record) => {
      const base = byName.get(record.baseSession);
      return {
        record,
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

  workspace(id: string): WorkspaceRecord | undefined {
    return this.store.workspace(id);
  }

  session(key: string): SessionRecord | undefined {
    return this.store.session(key);
  }

  /** What a delete without force would refuse over: uncommitted or untracked files, unpushed commits. */
  async previewDelete(workspaceId: string): Promise<DeletePreview> {
    const record = this.requireWorkspace(workspaceId);
    if (!existsSync(record.worktreePath)) {
      // The folder is gone, but the branch (which delete may remove) can still hold unpushed commits.
      const branchLives = existsSync(record.repoPath) && (await this.git.localBranchExists(record.repoPath, record.branch));
      const unpushedCommits = branchLives ? await this.git.unpushedCommits(record.repoPath, record.baseBranch, `refs/heads/${record.branch}`) : [];
      return { dirtyFiles: [], unpushedCommits };
    }
    const [dirtyFiles, unpushedCommits] = await Promise.all([
      this.git.dirtyFiles(record.worktreePath),
      this.git.unpushedCommits(record.worktreePath, record.baseBranch),
    ]);
    return { dirtyFiles, unpushedCommits };
  }

  async changedLines(workspaceId: string): Promise<{ added: number; removed: number; dirty: boolean } | undefined> {
    const record = this.store.workspace(workspaceId);
    if (!record || !existsSync(record.worktreePath)) return undefined;
    const [lines, dirtyFiles] = await Promise.all([
      this.git.changedLines(record.worktreePath, record.baseBranch),
      this.git.dirtyFiles(record.worktreePath),
    ]);
    return { ...lines, dirty: dirtyFiles.length > 0 };
  }

  /** What a create dialog offers: branches to check out (not those another worktree has) and the default base. */
  async branchChoices(repoPath: string): Promise<BranchChoices> {
    const repo = await this.git.repositoryRoot(repoPath);
    const [branches, worktrees, defaultBranch] = await Promise.all([
      this.git.listBranches(repo),
      this.git.listWorktrees(repo),
      this.git.defaultBranch(repo),
    ]);
    const checkedOut = new Set(worktrees.map((worktree) => worktree.branch).filter(Boolean));
    const local = branches.local.filter((branch) => !checkedOut.has(branch));
    const remote = branches.remote.filter((ref) => !branches.local.includes(ref.slice(ref.indexOf('/') + 1)));
    return { repoPath: repo, local, remote, defaultBranch };
  }

  /** Why `name` cannot be a new branch in `repoPath`, or undefined when it can. */
  async newBranchProblem(repoPath: string, name: string): Promise<string | undefined> {
    try {
      await this.git.checkBranchName(repoPath, name.trim());
    } catch (error) {
      return errorMessage(error);
    }
    if (await this.git.localBranchExists(repoPath, name.trim())) return `Branch "${name.trim()}" already exists; pick it from the list instead.`;
    return undefined;
  }

  setupLogPath(workspaceId: string): string {
    return join(this.options.stateDir, 'logs', `${workspaceId}.setup.log`);
  }

  // ------------------------------------------------------------ transitions

  /**
   * Records `creating`, adds the worktree, starts the base terminal, copies
   * `.worktreeinclude` files and runs the setup command, then `ready`. On a
   * failure the workspace is `error` and what this attempt made is undone.
   * The same repository and branch again returns the existing workspace.
   */
  async createWorkspace(request: CreateWorkspaceRequest): Promise<WorkspaceRecord> {
    const repoPath = await this.git.repositoryRoot(resolve(request.repoPath));
    const source = request.source ?? 'new';
    // A remote branch (`origin/feature`) is checked out as, and recorded under, its local name.
    const branch = source === 'existing' ? await this.git.localNameFor(repoPath, request.branch.trim()) : request.branch.trim();
    await this.git.checkBranchName(repoPath, branch);

    // The new workspace's own lock is taken before its record exists, so no other
    // window can see it `creating` with its lock free and call it interrupted.
    const id = newWorkspaceId(branch);
    return this.lock.run(id, async () => {
      const existing = await this.lock.run(`repo:${repoPath}`, () => this.recordNewWorkspace(id, repoPath, branch, source, request.base));
      if (existing) return existing;
      await this.step('create:recorded');
      return this.runSetup(id, request.setupCommand);
    });
  }

  /** Writes the `creating` record, or resolves to the workspace that has this branch already. */
  private async recordNewWorkspace(
    id: string,
    repoPath: string,
    branch: string,
    source: 'new' | 'existing',
    requestedBase: string | undefined,
  ): Promise<WorkspaceRecord | undefined> {
    const existing = this.store.workspaces().find((ws) => ws.repoPath === repoPath && ws.branch === branch);
    if (existing) return existing;
    if (source === 'new' && (await this.git.localBranchExists(repoPath, branch))) {
      throw refused(`Branch "${branch}" already exists. Pick it as an existing branch instead.`);
    }
    const worktreePath = defaultWorktreePath(repoPath, branch, this.options.worktreeRoot);
    if (existsSync(worktreePath)) throw refused(`The folder ${worktreePath} already exists; remove it or choose another branch name.`);
    const base = requestedBase?.trim() || (await this.git.defaultBranch(repoPath));
    const now = Date.now();
    const created: WorkspaceRecord = {
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
    };
    await this.store.putWorkspace(created);
    this.changed(id);
    return undefined;
  }

  /** Runs setup again for a workspace in `error`; refused (and nothing recorded) from any other status. */
  async retrySetup(workspaceId: string, options: { setupCommand?: string } = {}): Promise<WorkspaceRecord> {
    return this.lock.run(workspaceId, async () => {
      await this.store.transition(workspaceId, ['error'], { status: 'creating', lastError: undefined });
      this.changed(workspaceId);
      return this.runSetup(workspaceId, options.setupCommand);
    });
  }

  /** Starts an agent or the workspace's shell (one per workspace) in its own tmux session. */
  async launchSession(workspaceId: string, request: LaunchRequest): Promise<SessionRecord> {
    // A bad prompt is refused before anything runs.
    const prompt = request.prompt === undefined || request.kind !== 'agent' ? undefined : checkPrompt(request.prompt);
    return this.lock.run(workspaceId, async () => {
      await this.requireTmux();
      const workspace = this.requireWorkspace(workspaceId);
      if (workspace.status !== 'ready') {
        throw refused(`Workspace "${workspace.branch}" is ${workspace.status.replace('_', ' ')}; sessions launch only in a ready workspace.`);
      }
      if (request.kind === 'shell') {
        const shell = await this.existingShell(workspaceId);
        if (shell) return shell;
      }
      const command = request.kind === 'shell' ? this.loginShell() : request.command;
      if (!command || command.length === 0 || !command[0]) throw refused('An agent needs a command to run.');
      const label = request.label?.trim() || (request.kind === 'shell' ? 'shell' : command[0]);
      const tmuxName = runtimeSessionName(workspaceId, label);
      const launchId = randomUUID();
      const owner = await this.installId();

      const agent = request.kind === 'agent';
      const pane = await this.panes.prepare(
        launchId,
        command,
        { ...request.environment, TMUX_WORKSPACES_SESSION: tmuxName, ...(agent ? { [STATUS_FILE_VARIABLE]: this.statusFile(tmuxName) } : {}) },
        { keepLastLines: agent },
      );
      const promptOutput = prompt === undefined ? undefined : await this.prompts.prepare(launchId, prompt);
      await this.step('launch:handoff-written');
      try {
        await this.tmux.launch({
          name: tmuxName,
          cwd: workspace.worktreePath,
          argv: pane.argv,
          markers: { [MARKER.owner]: owner, [MARKER.launch]: launchId, [MARKER.key]: tmuxName },
          pipeOutputTo: promptOutput,
        });
      } catch (error) {
        await this.panes.discard(pane);
        await this.prompts.discard(launchId);
        throw error;
      }
      this.watcher.ensureRunning();
      await this.step('launch:session-started');

      const record: SessionRecord = {
        v: SCHEMA_VERSION,
        key: tmuxName,
        workspaceId,
        kind: request.kind,
        agentId: request.agentId,
        label,
        tmuxName,
        launchId,
        command: [...command],
        createdAt: Date.now(),
        ...(prompt === undefined ? {} : { prompt: { state: 'pending', at: Date.now() } }),
        ...(request.resumeArgv ? { resumeArgv: [...request.resumeArgv] } : {}),
        ...(request.conversationId ? { conversationId: request.conversationId } : {}),
      };
      try {
        await this.store.putSession(record);
      } catch (error) {
        // No record, no process: but only our own launch, another window may have adopted it.
        const killed = await this.tmux.killSessionIfLaunch(tmuxName, launchId).catch((killError) => `not stopped (${errorMessage(killError)})`);
        await this.prompts.discard(launchId);
        throw failed(`Could not record the ${label} session (${errorMessage(error)}); the session was ${killed === 'killed' || killed === 'gone' ? 'stopped' : killed}.`);
      }
      await this.step('launch:recorded');
      if (!(await this.tmux.hasSession(tmuxName))) {
        await this.store.forgetSession(record.key, record.createdAt);
        await this.prompts.discard(launchId);
        const status = await this.panes.exitStatus(launchId);
        throw failed(`${label} exited immediately${status === undefined ? '' : ` with status ${status}`}.`);
      }
      this.emit({ type: 'session-started', session: record });
      if (prompt !== undefined) this.prompts.begin(record);
      return record;
    });
  }

  /** Records the conversation id an agent's hook reported, so the agent can be resumed after a reboot. */
  async recordConversation(key: string, conversationId: string): Promise<void> {
    const known = this.store.session(key);
    if (!known || known.conversationId === conversationId) return;
    await this.lock.run(known.workspaceId, async () => {
      const record = this.store.session(key);
      if (record && record.conversationId !== conversationId) await this.store.updateSession(key, record.createdAt, { conversationId });
    });
  }

  /** Relaunches a resumable agent in its worktree with its resume argv, then forgets the resumable row. */
  async resumeAgent(key: string, options: { environment?: Readonly<Record<string, string>> } = {}): Promise<SessionRecord> {
    const resumable = this.store.resumable(key);
    if (!resumable) throw new WorkspaceError('gone', 'That agent is no longer resumable.');
    const command = resumeCommand(resumable.resumeArgv, resumable.conversationId);
    // Taken off the list first, so two clicks (or windows) resume it once; put back if the launch fails.
    if (!(await this.lock.run(resumable.workspaceId, () => this.store.forgetResumable(key)))) {
      throw new WorkspaceError('gone', 'That agent is no longer resumable.');
    }
    try {
      return await this.launchSession(resumable.workspaceId, {
        kind: 'agent',
        agentId: resumable.agentId,
        label: resumable.label,
        command,
        environment: options.environment,
        resumeArgv: resumable.resumeArgv,
        conversationId: resumable.conversationId,
      });
    } catch (error) {
      await this.store.putResumable(resumable);
      throw error;
    } finally {
      this.changed(resumable.workspaceId);
    }
  }

  /** Forgets a resumable agent. */
  async dismissResumable(key: string): Promise<void> {
    const resumable = this.store.resumable(key);
    if (resumable && (await this.store.forgetResumable(key))) this.changed(resumable.workspaceId);
  }

  resumable(key: string): ResumableRecord | undefined {
    return this.store.resumable(key);
  }

  /** Resolves when no first prompt is being delivered by this window (tests, shutdown). */
  promptsSettled(): Promise<void> {
    return this.prompts.settled();
  }

  /** Kills the session, then forgets its record. Works from the record alone; already gone counts as stopped. */
  async stopSession(key: string): Promise<void> {
    const known = this.store.session(key);
    if (!known) return;
    await this.lock.run(known.workspaceId, async () => {
      const record = this.store.session(key);
      if (!record) return;
      await this.killIgnoringMissingTmux(record.tmuxName);
      await this.step('stop:killed');
      if (await this.store.forgetSession(record.key, record.createdAt)) {
        this.emit({ type: 'session-ended', session: record, natural: false });
      }
    });
  }

  /**
   * Deletes a workspace: refuses while setup or another delete runs; without
   * force, refuses a dirty worktree or unpushed commits and changes nothing;
   * then `deleting`, stop every session, remove worktree (and the branch it
   * created), forget the records. A failure after `deleting` leaves
   * `deletion_failed`, which a later delete retries.
   */
  async deleteWorkspace(workspaceId: string, options: { force?: boolean } = {}): Promise<void> {
    const force = options.force ?? false;
    await this.lock.run(workspaceId, async () => {
      const record = this.requireWorkspace(workspaceId);
      if (record.status === 'creating') throw refused(`Workspace "${record.branch}" is still being set up; wait for it or retry later.`);
      if (record.status === 'deleting') throw refused(`Workspace "${record.branch}" is already being deleted.`);
      if (!force) {
        const preview = await this.previewDelete(workspaceId);
        if (preview.dirtyFiles.length > 0 || preview.unpushedCommits.length > 0) {
          throw refused(describeLoss(record.branch, preview), { ...preview });
        }
      }
      await this.store.transition(workspaceId, ['ready', 'error', 'deletion_failed'], { status: 'deleting', lastError: undefined });
      this.changed(workspaceId);
      await this.step('delete:marked');
      try {
        await this.stopAll(record);
        await this.removeWorktree(record, force);
        // Inside the try: a failed forget too must leave `deletion_failed`, not `deleting`.
        for (const resumable of this.store.resumables().filter((agent) => agent.workspaceId === workspaceId)) await this.store.forgetResumable(resumable.key);
        await this.store.forgetWorkspace(workspaceId);
      } catch (error) {
        const message = error instanceof StageError ? error.message : `delete: ${errorMessage(error)}`;
        await this.store.update(workspaceId, { status: 'deletion_failed', lastError: message });
        this.changed(workspaceId);
        throw failed(message);
      }
      this.emit({ type: 'workspace-removed', workspaceId });
    });
  }

  /** The attach command for a workspace's base terminal (recreated first if gone) or a session. */
  async attachTarget(target: { workspaceId: string } | { sessionKey: string } | { orphan: string }): Promise<AttachTarget> {
    await this.requireTmux();
    if ('orphan' in target) {
      if (!(await this.listOrphans()).some((session) => session.name === target.orphan)) {
        throw new WorkspaceError('gone', `Session ${target.orphan} is no longer an orphan.`);
      }
      return { tmuxName: target.orphan, argv: this.tmux.attachArgv(target.orphan) };
    }
    if ('sessionKey' in target) {
      const record = this.store.session(target.sessionKey);
      if (!record) throw new WorkspaceError('gone', 'That session has ended.');
      if (!(await this.tmux.hasSession(record.tmuxName))) {
        void this.collectExited().catch(() => undefined);
        throw new WorkspaceError('gone', `The ${record.label} session has ended.`);
      }
      return { tmuxName: record.tmuxName, argv: this.tmux.attachArgv(record.tmuxName) };
    }
    return this.lock.run(target.workspaceId, async () => {
      const record = this.requireWorkspace(target.workspaceId);
      if (record.status === 'deleting') throw refused(`Workspace "${record.branch}" is being deleted.`);
      if (!existsSync(record.worktreePath)) throw refused(`The worktree folder ${record.worktreePath} is missing; retry setup or delete the workspace.`);
      if (!(await this.tmux.hasSession(record.baseSession))) await this.startBaseSession(record);
      return { tmuxName: record.baseSession, argv: this.tmux.attachArgv(record.baseSession) };
    });
  }

  /** The shell-quoted attach command, as a user would paste it into any terminal. */
  attachCommandLine(target: AttachTarget): string {
    return target.argv.map((word) => shellQuote(word)).join(' ');
  }

  /**
   * Brings records in line with what is running. At activation, a `creating`
   * or `deleting` left by a window that went away becomes `error` or
   * `deletion_failed`. Records of sessions that ended are forgotten; an empty
   * tmux server (a reboot) forgets sessions but never breaks workspaces.
   */
  async reconcile(options: { activation?: boolean } = {}): Promise<void> {
    // With locks shared by every window, a free lock proves the transition's window is gone,
    // so any reconcile (the periodic one too) may say so; otherwise only a fresh window can.
    if (options.activation || this.lock.crossProcess) {
      for (const record of this.store.workspaces()) {
        if (record.status !== 'creating' && record.status !== 'deleting') continue;
        const [from, to, lastError] = record.status === 'creating'
          ? (['creating', 'error', INTERRUPTED_SETUP] as const)
          : (['deleting', 'deletion_failed', INTERRUPTED_DELETE] as const);
        const markInterrupted = async () => {
          await this.store.transition(record.id, [from], { status: to, lastError }).catch(() => undefined);
          this.changed(record.id);
          return true;
        };
        // A transition still holding the workspace's lock (here or in another window) is not interrupted.
        if (await this.lock.tryRun(record.id, markInterrupted)) continue;
        // Another window holds it: a live one finishes the transition itself, but the lock of one that died
        // frees only once stale, after this pass. So wait for it in the background; the status check makes
        // that a no-op when the transition did finish.
        if (options.activation && !this.lock.isBusy(record.id)) void this.lock.run(record.id, markInterrupted).catch(() => undefined);
      }
    }
    // One list-sessions answers both passes.
    const { listing } = await this.checkExits();
    if (this.options.reapOrphans ?? true) await this.lock.tryRun(REAPER_LOCK, () => this.reapOrphans(listing));
    this.changes.fire({ type: 'reconciled' });
  }

  /**
   * Sessions on our server with our owner marker and naming scheme but no
   * record, whatever their age: launches whose record never landed, or whose
   * record another window forgot. The tree shows them so nothing runs unseen.
   */
  async listOrphans(): Promise<LiveSession[]> {
    if (!(await this.tmux.available())) return [];
    return this.unrecorded(await this.sessionsNow());
  }

  /** Records an orphaned session under a ready workspace, taking it over with a new launch id first. */
  async adoptSession(tmuxName: string, workspaceId: string): Promise<SessionRecord> {
    return this.lock.run(workspaceId, async () => {
      const workspace = this.requireWorkspace(workspaceId);
      if (workspace.status !== 'ready') throw refused(`Workspace "${workspace.branch}" is ${workspace.status.replace('_', ' ')}; adopt into a ready workspace.`);
      const orphan = (await this.listOrphans()).find((session) => session.name === tmuxName);
      if (!orphan) throw new WorkspaceError('gone', `Session ${tmuxName} is no longer an orphan (it ended, or another window recorded it).`);
      const launchId = randomUUID();
      // A new launch id first: from now on a reaper holding the old one leaves it alone.
      await this.tmux.setMarkers(tmuxName, { [MARKER.launch]: launchId, [MARKER.key]: tmuxName });
      const record: SessionRecord = {
        v: SCHEMA_VERSION,
        key: tmuxName,
        workspaceId,
        kind: 'agent',
        label: tmuxName.slice(`${SESSION_PREFIX}`.length),
        tmuxName,
        launchId,
        command: [],
        createdAt: Date.now(),
      };
      await this.store.putSession(record);
      this.emit({ type: 'session-started', session: record });
      return record;
    });
  }

  /** Kills one orphaned session, if it still is one. */
  async killOrphan(tmuxName: string): Promise<void> {
    const orphan = (await this.listOrphans()).find((session) => session.name === tmuxName);
    if (!orphan) return;
    if (orphan.launchId) await this.tmux.killSessionIfLaunch(tmuxName, orphan.launchId);
    else await this.tmux.killSession(tmuxName);
    this.changes.fire({ type: 'tmux' });
  }

  /**
   * Kills sessions on our server that carry our owner marker and our naming
   * scheme, are older than the grace period, and have no record. Anything
   * without our marker is never touched. Resolves to the names it killed.
   * `listing`: a list-sessions result the caller just made, instead of a new one.
   */
  async reapOrphans(listing?: readonly LiveSession[]): Promise<string[]> {
    if (!(await this.tmux.available())) return [];
    const graceSeconds = (this.options.orphanGraceMs ?? 60_000) / 1000;
    const nowSeconds = Date.now() / 1000;
    // The records are read right here, just before deciding: a launch may have recorded meanwhile.
    const orphans = (await this.unrecorded(listing ?? (await this.tmux.listSessions()))).filter(
      (session) => nowSeconds - session.createdAt >= graceSeconds,
    );
    const killed: string[] = [];
    for (const session of orphans) {
      const outcome = session.launchId
        ? await this.tmux.killSessionIfLaunch(session.name, session.launchId)
        : await this.tmux.killSession(session.name);
      if (outcome === 'killed') killed.push(session.name);
    }
    return killed;
  }

  /**
   * Forgets the records of sessions that are no longer running (only the
   * generation that was seen dead) and reports each as ended. Records are read
   * before tmux is asked, so a launch that records meanwhile is not mistaken
   * for a dead session. Calls that overlap share one run plus one follow-up.
   */
  async collectExited(): Promise<SessionRecord[]> {
    return (await this.checkExits()).ended;
  }

  /** `collectExited`, plus the listing its last pass made (none when there were no records to check). */
  private checkExits(): Promise<ExitCheck> {
    if (this.exitCheck) {
      this.exitCheckAgain = true;
      return this.exitCheck;
    }
    const run = async (): Promise<ExitCheck> => {
      const ended: SessionRecord[] = [];
      let listing: LiveSession[] | undefined;
      do {
        this.exitCheckAgain = false;
        listing = undefined;
        const snapshot = this.store.sessions();
        if (snapshot.length === 0) break;
        // A window that cannot run tmux knows nothing about what runs: "cannot list" is not "none left".
        if (!(await this.tmux.available())) break;
        listing = await this.rememberedListing();
        const live = new Map(listing.map((session) => [session.name, session]));
        // Only a server with none of our sessions left is a reboot or a killed server; one session
        // gone among others was stopped (perhaps by another window) and is not resumable.
        const serverGone = !listing.some((session) => isOurSessionName(session.name));
        for (const record of snapshot) {
          const session = live.get(record.tmuxName);
          if (session && isSameLaunch(session, record)) continue;
          if (!(await this.store.forgetSession(record.key, record.createdAt))) continue;
          ended.push(record);
          this.emit({ type: 'session-ended', session: record, natural: true, ...(await this.afterExit(record, serverGone)) });
        }
      } while (this.exitCheckAgain && !this.disposed);
      return { ended, listing };
    };
    this.exitCheck = run().finally(() => {
      this.exitCheck = undefined;
    });
    return this.exitCheck;
  }

  dispose(): void {
    this.disposed = true;
    this.prompts.dispose();
    this.reportSubscription?.dispose();
    if (this.safetyNet) clearInterval(this.safetyNet);
    if (this.exitCheckTimer) clearTimeout(this.exitCheckTimer);
    this.watcher.dispose();
    this.changes.dispose();
  }

  // -------------------------------------------------------------- internals

  private scheduleExitCheck(notification: string): void {
    if (this.disposed) return;
    this.listing = undefined;
    if (CLIENT_NOTIFICATIONS.has(notification)) {
      this.changes.fire({ type: 'tmux' });
      return;
    }
    if (this.exitCheckTimer) return;
    // Coalesce the burst of notifications one exit produces into one list-sessions call.
    this.exitCheckTimer = setTimeout(() => {
      this.exitCheckTimer = undefined;
      void this.collectExited()
        .catch(() => undefined)
        .then(() => this.changes.fire({ type: 'tmux' }));
    }, 10);
  }

  /**
   * What a session that is gone left: its exit status and, if it failed, its
   * last lines. An agent that did not exit on its own (no status: the machine
   * rebooted, the server was killed) and whose conversation is known is kept
   * as resumable.
   */
  private async afterExit(record: SessionRecord, serverGone: boolean): Promise<{ exitCode?: number; lastLines?: string; resumable?: boolean }> {
    const exitCode = await this.panes.exitStatus(record.launchId);
    const lastLines = await this.panes.lastLines(record.launchId);
    if (exitCode !== undefined || !serverGone || record.kind !== 'agent' || !record.conversationId || !record.resumeArgv) return { exitCode, lastLines };
    await this.store.putResumable({
      v: SCHEMA_VERSION,
      key: record.key,
      workspaceId: record.workspaceId,
      agentId: record.agentId,
      label: record.label,
      conversationId: record.conversationId,
      resumeArgv: record.resumeArgv,
      startedAt: record.createdAt,
      stoppedAt: Date.now(),
    });
    return { resumable: true };
  }

  private statusFile(sessionKey: string): string {
    return statusFilePath(agentStatusDir(this.options.stateDir), sessionKey);
  }

  private async runSetup(workspaceId: string, setupCommand: string | undefined): Promise<WorkspaceRecord> {
    const made = { worktree: false, branch: false, base: false };
    let record = this.requireWorkspace(workspaceId);
    try {
      if (!existsSync(record.worktreePath)) {
        await this.stage(workspaceId, 'worktree', async () => {
          await mkdir(join(record.worktreePath, '..'), { recursive: true });
          const branchExists = await this.git.localBranchExists(record.repoPath, record.branch);
          // A retry after a rollback that deleted the new branch creates it again.
          const source = record.branchSource === 'new' && !branchExists
            ? ({ kind: 'new', branch: record.branch, base: record.baseBranch } as const)
            : ({ kind: 'existing', branch: record.branch } as const);
          // Claimed before git makes it, so a crash right after `worktree add` still deletes it with the workspace.
          if (!branchExists && !record.createdBranch) {
            record = (await this.store.update(workspaceId, { createdBranch: true })) ?? record;
            await this.step('create:branch-claimed');
          }
          let createdBranch: boolean;
          try {
            ({ createdBranch } = await this.git.addWorktree(record.repoPath, record.worktreePath, source));
          } catch (error) {
            // No branch was made: a claim left behind would delete one that someone makes later.
            if (!branchExists && record.createdBranch && !(await this.git.localBranchExists(record.repoPath, record.branch))) {
              record = (await this.store.update(workspaceId, { createdBranch: false })) ?? record;
            }
            throw error;
          }
          made.worktree = true;
          made.branch = createdBranch;
          await this.step('create:worktree-added');
          if (createdBranch && !record.createdBranch) record = (await this.store.update(workspaceId, { createdBranch: true })) ?? record;
        });
      }
      if (await this.tmux.available()) {
        await this.stage(workspaceId, 'terminal', async () => {
          if (await this.tmux.hasSession(record.baseSession)) return;
          await this.startBaseSession(record);
          made.base = true;
        });
      } else {
        await this.store.addSetupEvent(workspaceId, { stage: 'terminal', outcome: 'skipped', at: Date.now(), detail: NO_TMUX_NOTE });
        record = (await this.store.update(workspaceId, { baseNote: NO_TMUX_NOTE })) ?? record;
      }
      await this.stage(workspaceId, 'include', async () => {
        const copied = await copyWorktreeIncludes(record.repoPath, record.worktreePath);
        return copied.length > 0 ? `copied ${copied.join(', ')}` : undefined;
      });
      const command = setupCommand?.trim();
      if (command) await this.stage(workspaceId, 'setup', () => this.runSetupCommand(record, command));
      const ready = await this.store.transition(workspaceId, ['creating'], { status: 'ready', lastError: undefined });
      this.changed(workspaceId);
      return ready;
    } catch (error) {
      const rollbackProblems = await this.rollBack(record, made);
      const message = (error instanceof StageError ? error.message : errorMessage(error)) + rollbackProblems;
      await this.store.update(workspaceId, { status: 'error', lastError: message });
      this.changed(workspaceId);
      throw error instanceof StageError && error.cause instanceof WorkspaceError
        ? new WorkspaceError(error.cause.kind, message, error.cause.details)
        : failed(message);
    }
  }

  /** Runs one setup stage, recording its start and outcome so the UI can show progress. */
  private async stage(workspaceId: string, stage: SetupStage, work: () => Promise<string | void>): Promise<void> {
    await this.store.addSetupEvent(workspaceId, { stage, outcome: 'started', at: Date.now() });
    this.changed(workspaceId);
    try {
      const detail = await work();
      await this.step(`create:${stage}-done`);
      await this.store.addSetupEvent(workspaceId, { stage, outcome: 'ok', at: Date.now(), ...(detail ? { detail } : {}) });
      this.changed(workspaceId);
      await this.step(`create:${stage}-recorded`);
    } catch (error) {
      await this.store.addSetupEvent(workspaceId, { stage, outcome: 'failed', at: Date.now(), detail: errorMessage(error) });
      throw new StageError(stage, error);
    }
  }

  /** Undoes what one create attempt made; a worktree with changes is kept, and the message says so. */
  private async rollBack(record: WorkspaceRecord, made: { worktree: boolean; branch: boolean; base: boolean }): Promise<string> {
    const problems: string[] = [];
    if (made.base) await this.tmux.killSession(record.baseSession).catch((error) => problems.push(errorMessage(error)));
    if (made.worktree) {
      try {
        await this.git.removeWorktree(record.repoPath, record.worktreePath, { force: false });
        if (made.branch) {
          await this.git.deleteBranch(record.repoPath, record.branch);
          await this.store.update(record.id, { createdBranch: false });
        }
      } catch (error) {
        problems.push(`the new worktree was kept (${errorMessage(error)})`);
      }
    }
    return problems.length > 0 ? ` (rollback: ${problems.join('; ')})` : '';
  }

  private async runSetupCommand(record: WorkspaceRecord, command: string): Promise<string> {
    const logPath = this.setupLogPath(record.id);
    // Setup output may print tokens: the folder and the log are private.
    await privateFolder(join(logPath, '..'));
    const log = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
    log.write(`\n=== ${new Date().toISOString()} ${record.worktreePath}\n$ ${command}\n`);
    await this.store.update(record.id, { setupLog: logPath });
    try {
      // The setup command is the user's own shell command line, so a shell runs it.
      const child = execa('/bin/sh', ['-c', command], {
        cwd: record.worktreePath,
        env: this.options.environment ?? process.env,
        extendEnv: false,
        stdin: 'ignore',
        all: true,
        buffer: false,
        reject: false,
      });
      child.all?.pipe(log, { end: false });
      const result = await child;
      log.write(`=== exit ${result.exitCode ?? result.signal}\n`);
      if (result.exitCode !== 0) {
        throw failed(`setup command exited with ${result.exitCode ?? result.signal}; see the setup log (${logPath}).`);
      }
      return `"${command}" succeeded`;
    } finally {
      await new Promise<void>((done) => log.end(done));
    }
  }

  private async startBaseSession(record: WorkspaceRecord): Promise<void> {
    const launchId = randomUUID();
    const pane = await this.panes.prepare(launchId, this.loginShell(), { TMUX_WORKSPACES_SESSION: record.baseSession });
    try {
      await this.tmux.launch({
        name: record.baseSession,
        cwd: record.worktreePath,
        argv: pane.argv,
        markers: { [MARKER.owner]: await this.installId(), [MARKER.launch]: launchId, [MARKER.key]: record.id },
      });
    } catch (error) {
      await this.panes.discard(pane);
      throw error;
    }
    if (record.baseNote) await this.store.update(record.id, { baseNote: undefined });
    this.watcher.ensureRunning();
  }

  private async stopAll(record: WorkspaceRecord): Promise<void> {
    for (const session of this.store.sessionsOf(record.id)) {
      try {
        await this.killIgnoringMissingTmux(session.tmuxName);
      } catch (error) {
        throw new StageError('delete', `could not stop ${session.label}: ${errorMessage(error)}`);
      }
      await this.step('delete:session-stopped');
      if (await this.store.forgetSession(session.key, session.createdAt)) {
        this.emit({ type: 'session-ended', session, natural: false });
      }
      await this.step('delete:session-forgotten');
    }
    try {
      await this.killIgnoringMissingTmux(record.baseSession);
    } catch (error) {
      throw new StageError('delete', `could not stop the base terminal: ${errorMessage(error)}`);
    }
    await this.step('delete:base-stopped');
  }

  private async removeWorktree(record: WorkspaceRecord, force: boolean): Promise<void> {
    try {
      if (existsSync(record.worktreePath)) {
        await this.git.removeWorktree(record.repoPath, record.worktreePath, { force });
        await this.step('delete:worktree-removed');
      }
      if (existsSync(record.repoPath)) {
        await this.git.prune(record.repoPath);
        if (record.createdBranch) {
          await this.git.deleteBranch(record.repoPath, record.branch);
          await this.step('delete:branch-deleted');
        }
      }
    } catch (error) {
      throw new StageError('delete', error);
    }
  }

  /** Without tmux on the machine there is no session to stop. */
  private async killIgnoringMissingTmux(name: string): Promise<void> {
    if (!(await this.tmux.available())) return;
    await this.tmux.killSession(name);
  }

  private async existingShell(workspaceId: string): Promise<SessionRecord | undefined> {
    const shell = this.store.sessionsOf(workspaceId).find((session) => session.kind === 'shell');
    if (!shell) return undefined;
    if (await this.tmux.hasSession(shell.tmuxName)) return shell;
    await this.store.forgetSession(shell.key, shell.createdAt);
    this.emit({ type: 'session-ended', session: shell, natural: true });
    return undefined;
  }

  /**
   * Lists sessions and keeps the answer while it is current: until the watcher
   * reports any session or client change on the server, or this window runs a
   * tmux command that may change it. So a refresh (reconcile, then list) asks
   * tmux once. Without the watcher nothing is kept.
   */
  private async rememberedListing(): Promise<LiveSession[]> {
    const mutations = this.tmux.mutations;
    this.listing = undefined;
    const sessions = await this.liveSessions();
    if (this.watcher.running && this.tmux.mutations === mutations) this.listing = { sessions, mutations };
    return sessions;
  }

  /**
   * For readers (the tree): the remembered listing while it is current, else
   * one `list-sessions` shared by the callers that ask meanwhile. The exit
   * check never uses it: it must list after reading the records.
   */
  private sessionsNow(): Promise<LiveSession[]> {
    const mutations = this.tmux.mutations;
    if (this.listing && this.watcher.running && this.listing.mutations === mutations) return Promise.resolve(this.listing.sessions);
    // Joining a listing that started before this window changed the server would miss the change.
    if (this.listingInFlight?.mutations !== mutations) {
      const flight = { mutations, sessions: this.rememberedListing() };
      this.listingInFlight = flight;
      void flight.sessions.finally(() => {
        if (this.listingInFlight === flight) this.listingInFlight = undefined;
      }).catch(() => undefined);
    }
    return this.listingInFlight!.sessions;
  }

  private async liveSessions(): Promise<LiveSession[]> {
    return (await this.tmux.available()) ? this.tmux.listSessions() : [];
  }

  private async requireTmux(): Promise<void> {
    if (!(await this.tmux.available())) {
      throw new WorkspaceError('unavailable', `tmux is not installed (tried "${this.tmux.command[0]}"). Install tmux (for example "sudo apt install tmux" or "brew install tmux") to launch sessions.`);
    }
  }

  private requireWorkspace(id: string): WorkspaceRecord {
    const record = this.store.workspace(id);
    if (!record) throw new WorkspaceError('gone', 'That workspace no longer exists.');
    return record;
  }

  private installId(): Promise<string> {
    // A failed first write is not cached: it would fail every later launch in this window.
    this.ownerId ??= this.store.installId().catch((error: unknown) => {
      this.ownerId = undefined;
      throw error;
    });
    return this.ownerId;
  }

  private loginShell(): string[] {
    return [this.options.shell || process.env.SHELL || '/bin/sh', '-l'];
  }

  /** Of `sessions`, those with our owner marker and naming scheme that no record (session or base terminal) accounts for. */
  private async unrecorded(sessions: readonly LiveSession[]): Promise<LiveSession[]> {
    const owner = await this.installId();
    const recorded = new Set([...this.store.sessions().map((session) => session.tmuxName), ...this.store.workspaces().map((workspace) => workspace.baseSession)]);
    return sessions.filter((session) => session.owner === owner && isOurSessionName(session.name) && !recorded.has(session.name));
  }

  /** A point between two steps of a transition, where a crash must leave a state reconcile can repair. */
  private async step(name: string): Promise<void> {
    await this.options.onStep?.(name);
  }

  private changed(workspaceId: string): void {
    this.emit({ type: 'workspace', workspaceId });
  }

  /** Reports a change here, and to other windows through the change marker. */
  private emit(change: LifecycleChange): void {
    this.options.marker?.touch();
    this.changes.fire(change);
  }
}

/** A tmux session with our name but another launch id is a later generation, not ours. */
function isSameLaunch(session: LiveSession, record: SessionRecord): boolean {
  return session.launchId === undefined || session.launchId === record.launchId;
}

function describeLoss(branch: string, preview: DeletePreview): string {
  const parts: string[] = [];
  if (preview.dirtyFiles.length > 0) parts.push(`${preview.dirtyFiles.length} uncommitted or untracked file(s)`);
  if (preview.unpushedCommits.length > 0) parts.push(`${preview.unpushedCommits.length} unpushed commit(s)`);
  return `Workspace "${branch}" has ${parts.join(' and ')}; delete it with force to discard them.`;
}

