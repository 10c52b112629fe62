import { randomUUID } from 'node:crypto';
import { STATUS_FILE_VARIABLE, agentStatusDir, rememberFirstPrompt, statusFilePath } from '../agents/AgentStatus';
import type { PromptDelivery } from '../agents/PromptDelivery';
import { resumeCommand } from '../agents/resume';
import { WorkspaceError, errorMessage, failed, refused } from '../errors';
import { logFailure } from '../log';
import { runtimeSessionName } from '../naming';
import { SCHEMA_VERSION, type ResumableRecord, type SessionRecord, type WorkspaceRecord } from '../store/records';
import type { PaneCommand } from '../tmux/PaneLauncher';
import { writeSessionMirror } from '../store/RecordMirror';
import { MARKER } from '../tmux/TmuxClient';
import { DEFAULT_STATUS_LINE, statusLineOptions } from '../tmux/statusLine';
import { loginShell, requireWorkspace, statusWords, type LifecycleContext } from './context';
import { restoredOutput, type RestoredOutput } from '../scrollback/restoredOutput';
import type { LaunchRequest } from './types';
import type { WorkspaceVariables } from './workspaceEnvironment';

/** What the status line calls a workspace's base terminal (the tree's word for it). */
const BASE_STATUS_LABEL = 'terminal';

/** One launch between its steps: what was decided and written before tmux was asked. */
interface Prepared {
  readonly workspace: WorkspaceRecord;
  readonly request: LaunchRequest;
  readonly command: readonly string[];
  readonly label: string;
  readonly tmuxName: string;
  readonly launchId: string;
  readonly owner: string;
  readonly pane: PaneCommand;
  readonly promptOutput: string | undefined;
  /** The record, made before tmux is asked. */
  readonly record: SessionRecord;
}

/** Starting sessions: prepare (handoff, prompt), start in tmux, record; the shell singleton; the base terminal. With the workspace's lock. */
export class SessionLaunch {
  constructor(
    private readonly context: LifecycleContext,
    private readonly prompts: PromptDelivery,
    /** The workspace's variables (its ports allocated first, if it has none): into every pane's handoff. */
    private readonly variables: WorkspaceVariables = async () => ({}),
  ) {}

  /** `prompt`: the checked first prompt of an agent; `restore`: old output a restored shell prints first. */
  async launch(workspaceId: string, request: LaunchRequest, prompt: string | undefined, restore?: RestoredOutput): Promise<SessionRecord> {
    const workspace = requireWorkspace(this.context.store, workspaceId);
    if (workspace.status !== 'ready') {
      throw refused(`Workspace "${workspace.branch}" is ${statusWords(workspace)}; sessions launch only in a ready workspace.`);
    }
    if (request.kind === 'shell') {
      const shell = await this.existingShell(workspaceId);
      if (shell) return shell;
    }
    const prepared = await this.prepare(workspace, request, prompt, restore);
    await this.context.step('launch:handoff-written');
    await this.start(prepared);
    await this.context.step('launch:session-started');
    const record = await this.record(prepared);
    await this.context.step('launch:recorded');
    await this.checkAlive(record);
    this.context.emit({ type: 'session-started', session: record });
    // The row's "latest prompt" until a hook reports a newer one; a failure costs only that line.
    if (prompt !== undefined) await rememberFirstPrompt(agentStatusDir(this.context.options.stateDir), record.key, prompt).catch(logFailure(this.context.log, `keeping the first prompt of ${record.label} for its row`));
    if (prompt !== undefined) this.prompts.begin(record);
    return record;
  }

  /**
   * Launches a stopped session again (the caller forgets the row once this
   * resolves): an agent with its resume argv, a shell printing its old output first.
   */
  async relaunch(resumable: ResumableRecord, environment: Readonly<Record<string, string>> | undefined): Promise<SessionRecord> {
    const { agentId, label, resumeArgv, conversationId } = resumable;
    if (resumable.kind === 'shell') {
      const shell = await this.launch(resumable.workspaceId, { kind: 'shell', label }, undefined, await restoredOutput(this.context.scrollback, resumable.key));
      // Its old output is now the new shell's own history.
      await this.context.scrollback.remove(resumable.key);
      return shell;
    }
    if (resumable.notResumable || !resumeArgv || !conversationId) throw refused(`${label} cannot be resumed: ${resumable.notResumable ?? 'its conversation is unknown'}.`);
    const command = resumeCommand(resumeArgv, conversationId);
    return this.launch(resumable.workspaceId, { kind: 'agent', agentId, label, command, environment, resumeArgv, conversationId }, undefined);
  }

  /** Records the conversation id an agent reported, on its record and on its session. With the workspace's lock. */
  async recordConversation(key: string, conversationId: string): Promise<void> {
    const { store, tmux, log } = this.context;
    const record = store.session(key);
    const updated = record && record.conversationId !== conversationId ? await store.updateSession(key, record.createdAt, { conversationId }) : undefined;
    // The record its tmux session carries gets the id too, so a restored record can still resume.
    if (updated) await writeSessionMirror(tmux, updated).catch(logFailure(log, `mirroring the record of ${key} onto its session`));
  }

  /**
   * Starts a workspace's base terminal, the login shell in its worktree. It
   * prints what it printed before, when that was saved (after a reboot, or an
   * `exit`), so the next save does not replace that history with an empty one.
   */
  async startBase(record: WorkspaceRecord): Promise<void> {
    const { panes, tmux, store } = this.context;
    const launchId = randomUUID();
    const variables = await this.variables(record.id);
    const restore = await restoredOutput(this.context.scrollback, record.baseSession);
    const history = await this.context.scrollback.begin(record.baseSession, { workspaceId: record.id, label: BASE_STATUS_LABEL, kind: 'base' });
    const pane = await panes.prepare(launchId, loginShell(this.context.options), { ...variables, TMUX_WORKSPACES_SESSION: record.baseSession }, { history, restore });
    try {
      await tmux.launch({
        name: record.baseSession,
        cwd: record.worktreePath,
        argv: pane.argv,
        markers: { [MARKER.owner]: await this.context.ownerId(), [MARKER.launch]: launchId, [MARKER.key]: record.id },
        sessionOptions: this.statusLine(record, BASE_STATUS_LABEL),
      });
    } catch (error) {
      await panes.discard(pane);
      throw error;
    }
    if (record.baseNote) await store.update(record.id, { baseNote: undefined });
    this.context.watch();
  }

  /** The status line options for a session of `workspace` (by the setting, asked now). */
  private statusLine(workspace: WorkspaceRecord, label: string): Record<string, string> {
    return statusLineOptions(this.context.options.statusLine?.() ?? DEFAULT_STATUS_LINE, workspace.branch, label);
  }

  /** The one shell a workspace has, if it still runs; a recorded one that ended is forgotten. */
  private async existingShell(workspaceId: string): Promise<SessionRecord | undefined> {
    const { store, tmux } = this.context;
    const shell = store.sessionsOf(workspaceId).find((session) => session.kind === 'shell');
    if (!shell) return undefined;
    if (await tmux.hasSession(shell.tmuxName)) return shell;
    await store.forgetSession(shell.key, shell.createdAt);
    this.context.emit({ type: 'session-ended', session: shell, natural: true });
    return undefined;
  }

  /** The handoff file (and the prompt's files): nothing runs yet. */
  private async prepare(workspace: WorkspaceRecord, request: LaunchRequest, prompt: string | undefined, restore: RestoredOutput | undefined): Promise<Prepared> {
    const command = request.kind === 'shell' ? loginShell(this.context.options) : request.command;
    if (!command || command.length === 0 || !command[0]) throw refused('An agent needs a command to run.');
    const label = request.label?.trim() || (request.kind === 'shell' ? 'shell' : command[0]);
    const tmuxName = runtimeSessionName(workspace.id, label);
    const launchId = randomUUID();
    const owner = await this.context.ownerId();
    const agent = request.kind === 'agent';
    const statusFile = statusFilePath(agentStatusDir(this.context.options.stateDir), tmuxName);
    const variables = await this.variables(workspace.id);
    const pane = await this.context.panes.prepare(
      launchId,
      command,
      { ...request.environment, ...variables, TMUX_WORKSPACES_SESSION: tmuxName, ...(agent ? { [STATUS_FILE_VARIABLE]: statusFile } : {}) },
      { keepLastLines: agent, history: await this.context.scrollback.begin(tmuxName, { workspaceId: workspace.id, label, kind: request.kind }), restore },
    );
    const promptOutput = prompt === undefined ? undefined : await this.prompts.prepare(launchId, prompt);
    const record: SessionRecord = {
      v: SCHEMA_VERSION,
      key: tmuxName,
      workspaceId: workspace.id,
      kind: request.kind,
      agentId: request.agentId,
      label,
      tmuxName,
      launchId,
      command: [...command],
      createdAt: Date.now(),
      ...(prompt !== undefined ? { prompt: { state: 'pending', at: Date.now() } } : {}),
      ...(request.resumeArgv ? { resumeArgv: [...request.resumeArgv] } : {}),
      ...(request.conversationId ? { conversationId: request.conversationId } : {}),
    };
    return { workspace, request, command, label, tmuxName, launchId, owner, pane, promptOutput, record };
  }

  /** One tmux invocation creates the session and sets its markers. */
  private async start(prepared: Prepared): Promise<void> {
    const { tmuxName, launchId, owner } = prepared;
    try {
      await this.context.tmux.launch({
        name: tmuxName,
        cwd: prepared.workspace.worktreePath,
        argv: prepared.pane.argv,
        markers: { [MARKER.owner]: owner, [MARKER.launch]: launchId, [MARKER.key]: tmuxName },
        pipeOutputTo: prepared.promptOutput,
        sessionOptions: this.statusLine(prepared.workspace, prepared.label),
      });
    } catch (error) {
      await this.context.panes.discard(prepared.pane);
      await this.prompts.discard(launchId);
      throw error;
    }
    this.context.watch();
  }

  /** Writes the record; if that fails, the session is killed, but only while it is still this launch's. */
  private async record(prepared: Prepared): Promise<SessionRecord> {
    const { tmuxName, launchId, label, record } = prepared;
    try {
      await this.context.store.putSession(record);
    } catch (error) {
      // No record, no process: but only our own launch, another window may have adopted it.
      const killed = await this.context.tmux.killSessionIfLaunch(tmuxName, launchId).catch((killError) => `not stopped (${errorMessage(killError)})`);
      await this.prompts.discard(launchId);
      throw failed(`Could not record the ${label} session (${errorMessage(error)}); the session was ${killed === 'killed' || killed === 'gone' ? 'stopped' : killed}.`);
    }
    await this.mirror(record);
    return record;
  }

  /**
   * The record rides on its session from now on, so reconcile can restore it
   * if it is lost. Only once it landed: a session whose record never did is an
   * orphan (and reaped as one), not a record to bring back.
   */
  private async mirror(record: SessionRecord): Promise<void> {
    try {
      await writeSessionMirror(this.context.tmux, record);
    } catch (error) {
      // A session that already ended carries nothing; the alive check says why.
      const gone = error instanceof WorkspaceError && error.kind === 'gone';
      this.context.log[gone ? 'debug' : 'warn'](`mirroring the record of ${record.key} onto its session failed: ${errorMessage(error)}`);
    }
  }

  /** An agent that exited at once must not leave a record behind. */
  private async checkAlive(record: SessionRecord): Promise<void> {
    const { tmux, store, panes, log } = this.context;
    if (await tmux.hasSession(record.tmuxName)) return;
    await store.forgetSession(record.key, record.createdAt);
    await this.prompts.discard(record.launchId);
    // A server that went with it (a tmux crash, kill-server) is not the agent's fault: say which it was.
    const serverUp = await tmux.serverRunning().catch((error: unknown) => {
      log.warn(`asking whether the tmux server runs, after ${record.label} was found gone: ${errorMessage(error)}`);
      return true;
    });
    if (!serverUp) throw failed(`The tmux server stopped just as ${record.label} started (it crashed or was killed), and its sessions with it; launch ${record.label} again.`);
    const status = await panes.exitStatus(record.launchId);
    throw failed(`${record.label} exited immediately${status === undefined ? '' : ` with status ${status}`}.`);
  }
}
