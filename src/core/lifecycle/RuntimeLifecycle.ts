import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AgentMessages } from '../agents/AgentMessages';
import { AgentInput } from './AgentInput';
import { PromptDelivery, checkPrompt } from '../agents/PromptDelivery';
import type { WorktreeChangeSet } from '../git/WorktreeChanges';
import { WorkspaceError, errorMessage, failed, refused } from '../errors';
import { Emitter, type Disposable } from '../events';
import { componentLog, logFailure, silentLog } from '../log';
import { newWorkspaceId } from '../naming';
import type { ResumableRecord, SessionRecord, WorkspaceRecord } from '../store/records';
import { SessionWatcher } from '../tmux/SessionWatcher';
import type { LiveSession } from '../tmux/TmuxClient';
import { shellQuote } from '../shell';
import { StageError, createContext, killIgnoringMissingTmux, requireTmux, requireWorkspace, type LifecycleContext } from './context';
import { ExitCollector } from './ExitCollector';
import { Comeback } from './Comeback';
import { isMidTransition, markInterrupted } from './Interruptions';
import { OrphanSessions } from './OrphanSessions';
import { RecordRepair } from './RecordRepair';
import { SessionLaunch } from './SessionLaunch';
import { SessionListing } from './SessionListing';
import { ProcessLock, type TransitionLock } from './TransitionLock';
import type { AttachTarget, BranchChoices, CreateWorkspaceRequest, DeletePreview, LaunchRequest, LifecycleChange, LifecycleOptions, MergeOutcome, PullRequestOutcome, WorkspaceView } from './types';
import type { UpdateOutcome, UpdateStrategy } from '../git/Landing';
import type { PullRequestInfo } from '../github/GhCli';
import { WorkspaceLanding } from './WorkspaceLanding';
import { WorkspaceArchive } from './WorkspaceArchive';
import { WorkspaceDeletion, describeLoss } from './WorkspaceDeletion';
import { refuseLoss } from './loss';
import { WorkspaceQueries } from './WorkspaceQueries';
import { WorkspaceSetup } from './WorkspaceSetup';
import { PORTS_LOCK, WorkspacePorts } from './WorkspacePorts';
import { WorkspaceTeardown } from './WorkspaceTeardown';
import { retryableFrom } from './ProjectSetup';
import type { WorkspaceVariables } from './workspaceEnvironment';
import { projectAgents } from '../project/projectFile';

export type * from './types';
export { describeLoss };

/**
 * Watcher notifications after which nothing ended but the tree may differ:
 * attached clients changed, or the set of sessions did. A session that ends
 * also closes its window (`%window-close`, `%unlinked-window-close`), so
 * `%sessions-changed` alone, which a new session sends too, needs no exit check:
 * with many sessions, that listing would run in every window on every launch.
 */
const NOTHING_ENDED_NOTIFICATIONS = new Set(['%client-session-changed', '%client-detached', '%sessions-changed']);

/** Reaping is done by one window at a time. */
const REAPER_LOCK = 'reaper';

/**
 * The one place that sequences tmux, git and records. Callers ask for
 * transitions; they never kill, forget or remove anything themselves. This
 * class owns the rules (which lock, which statuses, which steps in which
 * order, where a crash may stop them, which events); the pieces beside it do
 * the work with the lock held.
 */
export class RuntimeLifecycle implements Disposable {
  private readonly context: LifecycleContext;
  private readonly lock: TransitionLock;
  private readonly watcher: SessionWatcher;
  private readonly prompts: PromptDelivery;
  /** What goes into running agents besides their launch: first prompts sent again or copied, Send to Agent. */
  readonly agentInput: AgentInput;
  /** Scrollback saved and shown again, and Restore Sessions after a reboot. */
  readonly comeback: Comeback;
  private readonly listing: SessionListing;
  private readonly exits: ExitCollector;
  private readonly orphans: OrphanSessions;
  private readonly repairs: RecordRepair;
  private readonly queries: WorkspaceQueries;
  private readonly launcher: SessionLaunch;
  private readonly setup: WorkspaceSetup;
  private readonly deletion: WorkspaceDeletion;
  private readonly teardown: WorkspaceTeardown;
  private readonly landing: WorkspaceLanding;
  private readonly archives: WorkspaceArchive;
  private readonly reportSubscription: Disposable | undefined;
  private readonly changes: Emitter<LifecycleChange>;
  private safetyNet: NodeJS.Timeout | undefined;
  private disposed = false;

  readonly onDidChange: Emitter<LifecycleChange>['event'];

  constructor(private readonly options: LifecycleOptions) {
    const log = componentLog(options.log ?? silentLog, 'RuntimeLifecycle');
    this.changes = new Emitter<LifecycleChange>(log);
    this.onDidChange = this.changes.event;
    this.lock = options.lock ?? new ProcessLock();
    this.watcher = new SessionWatcher(options.tmux, { log });
    const emit = (change: LifecycleChange) => {
      options.marker?.touch();
      // A prompt kept for Send Again goes with its session.
      if (change.type === 'session-ended') void this.prompts.discard(change.session.launchId).catch(logFailure(log, 'removing a kept first prompt'));
      this.changes.fire(change);
    };
    this.context = createContext(options, log, emit, () => this.watcher.ensureRunning());
    this.prompts = new PromptDelivery({
      tmux: options.tmux,
      store: options.store,
      dir: join(options.stateDir, 'prompts'),
      lock: (key, task) => this.lock.run(key, task),
      waitMs: options.promptWaitMs,
      changed: (session, detail) => emit({ type: 'prompt', session, detail }),
      log,
    });
    const messages = new AgentMessages({
      tmux: options.tmux,
      store: options.store,
      dir: join(options.stateDir, 'messages'),
      lock: (key, task) => this.lock.run(key, task),
      changed: (session) => emit({ type: 'queue', session }),
      log,
    });
    this.agentInput = new AgentInput(options.store, this.prompts, messages);
    this.listing = new SessionListing(this.context, () => this.watcher.running);
    this.exits = new ExitCollector(this.context, () => this.listing.fresh());
    this.orphans = new OrphanSessions(this.context, () => this.listing.current());
    this.repairs = new RecordRepair(this.context);
    this.queries = new WorkspaceQueries(this.context, () => this.listing.current());
    const ports = new WorkspacePorts(this.context);
    const variables: WorkspaceVariables = async (workspaceId) => ports.environment(await this.lock.run(PORTS_LOCK, () => ports.ensure(workspaceId)));
    this.launcher = new SessionLaunch(this.context, this.prompts, variables);
    this.setup = new WorkspaceSetup(this.context, (record) => this.launcher.startBase(record), variables, (repoPath) => ports.check(repoPath));
    this.deletion = new WorkspaceDeletion(this.context);
    // A teardown gets the block the workspace holds, or none: it never allocates one.
    this.teardown = new WorkspaceTeardown(this.context, async (workspaceId) => ports.teardownEnvironment(requireWorkspace(this.options.store, workspaceId)));
    this.landing = new WorkspaceLanding(this.context);
    this.archives = new WorkspaceArchive(this.context, {
      locate: (record) => this.deletion.locate(record),
      preview: (record) => this.deletion.preview(record),
      stopAll: (record, stage) => this.deletion.stopAll(record, stage),
      removeWorktree: (record, force) => this.deletion.removeWorktree(record, force, { keepBranch: true, stage: 'archive' }),
      checkFolder: (record) => this.setup.checkFolder(record),
      runSetup: (workspaceId, setupCommand, signal) => this.setup.run(workspaceId, setupCommand, signal),
      teardown: (record, force) => this.teardown.run(record, force),
    });
    this.comeback = new Comeback(this.context, this.lock, { startBase: (record) => this.launcher.startBase(record), resume: (stopped, environment) => this.resumeAgent(stopped.key, { environment }) });
    this.watcher.onDidChangeSessions((notification) => this.onTmuxNotification(notification));
    options.marker?.onDidChange(() => this.changes.fire({ type: 'external' }));
    this.reportSubscription = options.agentReports?.(({ sessionKey, report }) => {
      if (report.conversationId && !this.disposed) {
        void this.recordConversation(sessionKey, report.conversationId).catch(logFailure(log, `recording the conversation of ${sessionKey}`));
      }
    });
  }

  /** Activation: reconcile what a previous window left, then watch for exits. */
  async start(): Promise<void> {
    await this.reconcile({ activation: true });
    await this.context.panes.sweepHandoffs().catch(logFailure(this.context.log, 'sweeping old handoff files'));
    await this.prompts.resume(this.options.store.sessions());
    await this.prompts.sweepKept(this.options.store.sessions()).catch(logFailure(this.context.log, 'sweeping kept first prompts'));
    await this.agentInput.sweep(this.options.store.sessions()).catch(logFailure(this.context.log, 'sweeping messages of sessions that ended'));
    await this.comeback.start();
    if ((await this.tmuxAvailable()) && this.options.store.sessions().length + this.options.store.workspaces().length > 0) {
      this.watcher.ensureRunning();
    }
    const period = this.options.safetyNetMs ?? 30_000;
    if (period > 0) {
      this.safetyNet = setInterval(() => void this.reconcile().catch(logFailure(this.context.log, 'safety-net reconcile')), period);
      this.safetyNet.unref();
    }
  }

  tmuxAvailable(): Promise<boolean> {
    return this.options.tmux.available();
  }

  // ---------------------------------------------------------------- queries (no lock)

  /** Records joined with live tmux state, from one `list-sessions` call. */
  listWorkspaces(): Promise<WorkspaceView[]> {
    return this.queries.views();
  }

  workspace(id: string): WorkspaceRecord | undefined {
    return this.options.store.workspace(id);
  }

  session(key: string): SessionRecord | undefined {
    return this.options.store.session(key);
  }

  resumable(key: string): ResumableRecord | undefined {
    return this.options.store.resumable(key);
  }

  /** The agents the workspace's repository offers in its project file (none in an untrusted workspace). */
  projectAgents(workspaceId: string): ReturnType<typeof projectAgents> {
    return projectAgents(requireWorkspace(this.options.store, workspaceId).repoPath, this.options.isTrusted?.() ?? true);
  }

  /** What a delete without force would refuse over: uncommitted or untracked files, unpushed commits. */
  previewDelete(workspaceId: string): Promise<DeletePreview> {
    return this.deletion.preview(requireWorkspace(this.options.store, workspaceId));
  }

  /** What the workspace changed against its base; undefined without a worktree. */
  worktreeChanges(workspaceId: string): Promise<WorktreeChangeSet | undefined> {
    return this.queries.changes(workspaceId);
  }

  /** A file's text at `commit` in the workspace's worktree (the base side of a diff). */
  textAt(workspaceId: string, commit: string, path: string): Promise<string> {
    return this.queries.textAt(workspaceId, commit, path);
  }

  /** What a create dialog offers: branches to check out (not those another worktree has) and the default base. */
  branchChoices(repoPath: string): Promise<BranchChoices> {
    return this.queries.branchChoices(repoPath);
  }

  /** Why `name` cannot be a new branch in `repoPath`, or undefined when it can. */
  newBranchProblem(repoPath: string, name: string): Promise<string | undefined> {
    return this.queries.newBranchProblem(repoPath, name);
  }

  /** Sessions on our server with our owner marker and naming scheme but no record, whatever their age. */
  listOrphans(): Promise<LiveSession[]> {
    return this.orphans.list();
  }

  /** The shell-quoted attach command, as a user would paste it into any terminal. */
  attachCommandLine(target: AttachTarget): string {
    return target.argv.map((word) => shellQuote(word)).join(' ');
  }

  // ------------------------------------------------------------ transitions

  /**
   * Records `creating`, adds the worktree, starts the base terminal, copies
   * `.worktreeinclude` files and runs the setup command, then `ready`. On a
   * failure the workspace is `error` and what this attempt made is undone.
   * The same repository and branch again returns the existing workspace.
   */
  async createWorkspace(request: CreateWorkspaceRequest): Promise<WorkspaceRecord> {
    const { git } = this.options;
    const repoPath = await git.repositoryRoot(resolve(request.repoPath));
    const source = request.source ?? 'new';
    // A remote branch (`origin/feature`) is checked out as, and recorded under, its local name.
    const branch = source === 'existing' ? await git.localNameFor(repoPath, request.branch.trim()) : request.branch.trim();
    await git.checkBranchName(repoPath, branch);

    // The new workspace's own lock is taken before its record exists, so no other
    // window can see it `creating` with its lock free and call it interrupted.
    const id = newWorkspaceId(branch, (taken) => this.options.store.workspace(taken) !== undefined);
    return this.lock.run(id, async () => {
      const existing = await this.lock.run(`repo:${repoPath}`, () => this.setup.record(id, repoPath, branch, source, request.base));
      if (existing) return existing;
      await this.context.step('create:recorded');
      return this.setup.run(id, request.setupCommand, request.signal);
    });
  }

  /** Runs setup again for a workspace in `error` (or `ready` with setup steps skipped: declined, untrusted); refused, recording nothing, otherwise. */
  async retrySetup(workspaceId: string, options: { setupCommand?: string; signal?: AbortSignal } = {}): Promise<WorkspaceRecord> {
    return this.lock.run(workspaceId, async () => {
      // A folder that is not this workspace's worktree (another workspace's, say) is never adopted.
      const record = requireWorkspace(this.options.store, workspaceId);
      if (record.status === 'error') await this.setup.checkFolder(record);
      await this.options.store.transition(workspaceId, retryableFrom(record), { status: 'creating', lastError: undefined });
      this.context.changed(workspaceId);
      await this.context.mirror(workspaceId);
      return this.setup.run(workspaceId, options.setupCommand, options.signal);
    });
  }

  /** Starts an agent or the workspace's shell (one per workspace) in its own tmux session; only in a `ready` workspace. */
  async launchSession(workspaceId: string, request: LaunchRequest): Promise<SessionRecord> {
    // A bad prompt is refused before anything runs.
    const prompt = request.prompt === undefined || request.kind !== 'agent' ? undefined : checkPrompt(request.prompt);
    return this.lock.run(workspaceId, async () => {
      await requireTmux(this.options.tmux);
      return this.launcher.launch(workspaceId, request, prompt);
    });
  }

  /**
   * Relaunches a stopped session in its worktree (an agent with its resume
   * argv, a shell printing its saved output first); the row is forgotten only once the new session is recorded, so a
   * window that dies on the way leaves the row (or the running session) behind,
   * never neither. All under the workspace's lock: a second click, or window,
   * finds the row gone, or its conversation already running and returns that.
   */
  async resumeAgent(key: string, options: { environment?: Readonly<Record<string, string>> } = {}): Promise<SessionRecord> {
    const { store } = this.options;
    const known = store.resumable(key);
    if (!known) throw new WorkspaceError('gone', 'That agent is no longer resumable.');
    try {
      return await this.lock.run(known.workspaceId, async () => {
        const resumable = store.resumable(key);
        if (!resumable) throw new WorkspaceError('gone', 'That agent is no longer resumable.');
        // A shell has no conversation: its workspace's one running shell is found by the launch.
        let session = store.sessionsOf(resumable.workspaceId).find((running) => resumable.conversationId !== undefined && running.conversationId === resumable.conversationId);
        if (!session) {
          await requireTmux(this.options.tmux);
          session = await this.launcher.relaunch(resumable, options.environment);
        }
        await store.forgetResumable(key);
        await this.context.step('resume:forgotten');
        return session;
      });
    } finally {
      this.context.changed(known.workspaceId);
    }
  }

  /** Forgets a resumable agent. */
  async dismissResumable(key: string): Promise<void> {
    const resumable = this.options.store.resumable(key);
    if (resumable && (await this.options.store.forgetResumable(key))) this.context.changed(resumable.workspaceId);
    await this.context.scrollback.remove(key);
  }

  /** Kills the session, then forgets its record. Works from the record alone; already gone counts as stopped. */
  async stopSession(key: string): Promise<void> {
    const { store } = this.options;
    const known = store.session(key);
    if (!known) return;
    await this.lock.run(known.workspaceId, async () => {
      const record = store.session(key);
      if (!record) return;
      await this.comeback.beforeStop(record);
      await killIgnoringMissingTmux(this.options.tmux, record.tmuxName);
      await this.context.step('stop:killed');
      if (await store.forgetSession(record.key, record.createdAt)) {
        this.context.emit({ type: 'session-ended', session: record, natural: false });
      }
    });
  }

  /**
   * Deletes a workspace: refuses while setup or another delete runs; without
   * force, refuses a dirty worktree or unpushed commits and changes nothing;
   * forced with the `expected` preview the user agreed to, refuses (details:
   * the new preview) when more is at risk now. The worktree is found where git
   * has the branch (a `git worktree move` is followed). Then `deleting`, stop every session, remove worktree (and the branch it
   * created), forget the records. A failure after `deleting` leaves
   * `deletion_failed`, which a later delete retries.
   */
  async deleteWorkspace(workspaceId: string, options: { force?: boolean; expected?: DeletePreview } = {}): Promise<void> {
    const force = options.force ?? false;
    const { store } = this.options;
    await this.lock.run(workspaceId, async () => {
      const known = requireWorkspace(store, workspaceId);
      if (known.status === 'creating') throw refused(`Workspace "${known.branch}" is still being set up; wait for it or retry later.`);
      if (known.status === 'deleting') throw refused(`Workspace "${known.branch}" is already being deleted.`);
      // An archived workspace has no worktree: its branch checked out somewhere else is not one to follow (and remove).
      const record = known.status === 'archived' ? known : await this.deletion.locate(known);
      await refuseLoss(record, options, () => this.deletion.preview(record), 'delete');
      await store.transition(workspaceId, ['ready', 'error', 'deletion_failed', 'archived', 'archive_failed'], { status: 'deleting', lastError: undefined });
      this.context.changed(workspaceId);
      await this.context.mirror(workspaceId);
      await this.context.step('delete:marked');
      try {
        await this.teardown.run(record, force);
        await this.deletion.stopAll(record);
        await this.deletion.removeWorktree(record, force);
        // Inside the try: a failed forget too must leave `deletion_failed`, not `deleting`.
        await this.deletion.forgetRecords(workspaceId);
      } catch (error) {
        const message = error instanceof StageError ? error.message : `delete: ${errorMessage(error)}`;
        await store.update(workspaceId, { status: 'deletion_failed', lastError: message });
        this.context.changed(workspaceId);
        await this.context.mirror(workspaceId);
        throw failed(message, error instanceof StageError ? { stage: error.stage } : undefined);
      }
      this.context.emit({ type: 'workspace-removed', workspaceId });
    });
  }

  // ---------------------------------------- archive: WorkspaceArchive does the work, under the workspace's lock

  /**
   * Stops the workspace's sessions and removes its worktree, keeping the
   * branch and the record (`archived`). Guarded like delete: without force a
   * dirty worktree or unpushed commits refuse it and change nothing. A failure
   * leaves `archive_failed`, which archiving again retries.
   */
  archiveWorkspace(workspaceId: string, options: { force?: boolean; expected?: DeletePreview } = {}): Promise<WorkspaceRecord> {
    return this.lock.run(workspaceId, () => this.archives.archive(workspaceId, options));
  }

  /** A new worktree on an archived workspace's kept branch, then setup again (`creating`, then `ready` or `error`). */
  restoreWorkspace(workspaceId: string, options: { setupCommand?: string; signal?: AbortSignal } = {}): Promise<WorkspaceRecord> {
    return this.lock.run(workspaceId, () => this.archives.restore(workspaceId, options.setupCommand, options.signal));
  }

  // ---------------------------------------- landing: WorkspaceLanding does the work, each under the workspace's lock

  /** Stages everything (untracked files too) and commits it in the worktree; refused with nothing to commit. */
  commitAll(workspaceId: string, message: string): Promise<{ commit: string; files: number }> {
    return this.lock.run(workspaceId, () => this.landing.commitAll(workspaceId, message));
  }

  /** Pushes the workspace's branch; the first push sets its upstream. Refused without a remote. */
  push(workspaceId: string): Promise<{ upstream: string; setUpstream: boolean }> {
    return this.lock.run(workspaceId, () => this.landing.push(workspaceId));
  }

  /** Merges the branch into its base after a dry run; refused, with nothing changed, over conflicts or uncommitted work on either side. */
  mergeIntoBase(workspaceId: string): Promise<MergeOutcome> {
    // The repository's lock too: two workspaces merging into one base checkout at once would collide in it.
    const repo = `repo:${requireWorkspace(this.options.store, workspaceId).repoPath}`;
    return this.lock.run(workspaceId, () => this.lock.run(repo, () => this.landing.mergeIntoBase(workspaceId)));
  }

  /** Merges or rebases the base into the workspace; conflicts are left in the worktree for the user. */
  updateFromBase(workspaceId: string, strategy: UpdateStrategy): Promise<UpdateOutcome> {
    return this.lock.run(workspaceId, () => this.landing.updateFromBase(workspaceId, strategy));
  }

  /** Pushes, then `gh pr create` when gh is logged in; else what the editor needs to take over (a compare page). */
  createPullRequest(workspaceId: string): Promise<PullRequestOutcome> {
    return this.lock.run(workspaceId, () => this.landing.createPullRequest(workspaceId));
  }

  /** The workspace's pull request (URL and state) when gh can tell; asked once per window, then kept. No lock: it changes nothing. */
  pullRequest(workspaceId: string, options: { fresh?: boolean } = {}): Promise<PullRequestInfo | undefined> {
    return this.landing.pullRequest(workspaceId, options);
  }

  /** The attach command for a workspace's base terminal (recreated first if gone), a session or an orphan. */
  async attachTarget(target: { workspaceId: string } | { sessionKey: string } | { orphan: string }): Promise<AttachTarget> {
    const { tmux, store } = this.options;
    await requireTmux(tmux);
    if ('orphan' in target) {
      await this.orphans.require(target.orphan, `Session ${target.orphan} is no longer an orphan.`);
      return { tmuxName: target.orphan, argv: tmux.attachArgv(target.orphan) };
    }
    if ('sessionKey' in target) {
      const record = store.session(target.sessionKey);
      if (!record) throw new WorkspaceError('gone', 'That session has ended.');
      if (!(await tmux.hasSession(record.tmuxName))) {
        void this.exits.collect().catch(logFailure(this.context.log, 'exit collection after a failed attach'));
        throw new WorkspaceError('gone', `The ${record.label} session has ended.`);
      }
      return { tmuxName: record.tmuxName, argv: tmux.attachArgv(record.tmuxName) };
    }
    return this.lock.run(target.workspaceId, async () => {
      const known = requireWorkspace(store, target.workspaceId);
      if (known.status === 'deleting') throw refused(`Workspace "${known.branch}" is being deleted.`);
      const record = await this.deletion.locate(known);
      if (!existsSync(record.worktreePath)) throw refused(`The worktree folder ${record.worktreePath} is missing; retry setup or delete the workspace.`);
      if (!(await tmux.hasSession(record.baseSession))) await this.launcher.startBase(record);
      return { tmuxName: record.baseSession, argv: tmux.attachArgv(record.baseSession) };
    });
  }

  /** Records an orphaned session under a ready workspace, taking it over with a new launch id first. */
  adoptSession(tmuxName: string, workspaceId: string): Promise<SessionRecord> {
    return this.lock.run(workspaceId, () => this.orphans.adopt(tmuxName, workspaceId));
  }

  /** Kills one orphaned session, if it still is one. */
  async killOrphan(tmuxName: string): Promise<void> {
    if (await this.orphans.kill(tmuxName)) this.changes.fire({ type: 'tmux' });
  }

  /**
   * Brings records in line with what is running. At activation, a `creating`
   * or `deleting` left by a window that went away becomes `error` or
   * `deletion_failed`. Records of sessions that ended are forgotten; an empty
   * tmux server (a reboot) forgets sessions but never breaks workspaces.
   * Records lost from the store are restored from what their tmux session
   * or worktree carries, and records that came back after a delete are
   * retired. Orphans are reaped only with `reapOrphans`, after the repair.
   */
  async reconcile(options: { activation?: boolean } = {}): Promise<void> {
    // Everything below decides from records being missing: from a copy that has every window's writes.
    await this.options.store.whenCurrent();
    // With locks shared by every window, a free lock proves the transition's window is gone,
    // so any reconcile (the periodic one too) may say so; otherwise only a fresh window can.
    if (options.activation || this.lock.crossProcess) await this.markInterrupted(options.activation ?? false);
    // One list-sessions answers every pass (the exit pass makes none when nothing is recorded).
    const listing = (await this.exits.collect()) ?? (await this.listing.current());
    await this.repair(listing);
    if (this.options.reapOrphans ?? false) await this.lock.tryRun(REAPER_LOCK, () => this.orphans.reap(listing));
    this.changes.fire({ type: 'reconciled' });
  }

  dispose(): void {
    this.disposed = true;
    this.prompts.dispose();
    this.reportSubscription?.dispose();
    if (this.safetyNet) clearInterval(this.safetyNet);
    this.exits.stop();
    this.comeback.dispose();
    this.watcher.dispose();
    this.changes.dispose();
  }

  // -------------------------------------------------------------- internals

  /** `creating` and `deleting` whose lock is free: the window that ran them went away. */
  private async markInterrupted(activation: boolean): Promise<void> {
    for (const record of this.options.store.workspaces().filter(isMidTransition)) {
      const mark = () => markInterrupted(this.context, record);
      // A transition still holding the workspace's lock (here or in another window) is not interrupted.
      if (await this.lock.tryRun(record.id, mark)) continue;
      // Another window holds it: a live one finishes the transition itself, but the lock of one that died
      // frees only once stale, after this pass. So wait for it in the background; the status check makes
      // that a no-op when the transition did finish.
      if (activation && !this.lock.isBusy(record.id)) void this.lock.run(record.id, mark).catch(logFailure(this.context.log, `waiting to mark ${record.id} interrupted`));
    }
  }

  /** Restores and retires records from what their resources carry; a workspace whose lock is taken is left for the next pass. */
  private async repair(listing: readonly LiveSession[]): Promise<void> {
    if (!(await this.tmuxAvailable())) return;
    for (const [workspaceId, plan] of await this.repairs.plan(listing)) {
      // A restored record brings its block of ports back: checked against the others' under the ports lock.
      const apply = () => this.repairs.apply(workspaceId, plan);
      await this.lock.tryRun(workspaceId, () => (plan.workspace?.ports ? this.lock.run(PORTS_LOCK, apply) : apply()));
    }
  }

  /** Records the conversation id an agent's hook reported, so the agent can be resumed after a reboot. */
  private async recordConversation(key: string, conversationId: string): Promise<void> {
    const { store } = this.options;
    const known = store.session(key);
    if (!known || known.conversationId === conversationId) return;
    await this.lock.run(known.workspaceId, () => this.launcher.recordConversation(key, conversationId));
  }

  private onTmuxNotification(notification: string): void {
    if (this.disposed) return;
    this.listing.invalidate();
    if (NOTHING_ENDED_NOTIFICATIONS.has(notification)) this.changes.fire({ type: 'tmux' });
    else this.exits.schedule(() => this.changes.fire({ type: 'tmux' }));
  }
}
