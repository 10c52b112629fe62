import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { workspacesApi, type TmuxWorkspacesApi } from './api';
import { ActivitySampler } from './core/agents/ActivitySampler';
import { AgentStatusMonitor, agentStatusDir } from './core/agents/AgentStatus';
import { DiskUsage } from './core/disk/DiskUsage';
import { installedVersion } from './core/agents/agentVersion';
import { GitClient } from './core/git/GitClient';
import { GhCli } from './core/github/GhCli';
import { WorktreeWatcher } from './core/git/WorktreeWatcher';
import { RuntimeLifecycle } from './core/lifecycle/RuntimeLifecycle';
import { FileLock } from './core/lifecycle/TransitionLock';
import { componentLog, logFailure } from './core/log';
import { ChangeMarker } from './core/store/ChangeMarker';
import { currentUnder } from './core/store/CurrentLock';
import { RecordStore } from './core/store/RecordStore';
import { TmuxClient } from './core/tmux/TmuxClient';
import type { AgentNotifier } from './ui/agents/AgentNotifier';
import { MuteStore } from './core/notify/MuteStore';
import { notificationDir, restoreOfferClaim, windowNotifier } from './ui/vscode/notificationWiring';
import { deliverQueuedWhenFree } from './ui/agents/queuedDelivery';
import { CommandId, ContextKey, RELOAD_SETTINGS, SECTION, SettingKey, VIEW_ID } from './ui/ids';
import { commandEntries, runCommand, type CommandEntry } from './ui/commands/registry';
import { offerRestore } from './ui/commands/comebackCommands';
import { anyGitRepository, type CommandContext } from './ui/host';
import { AgentStateModel } from './ui/tree/AgentStateModel';
import { WorkspaceTreeModel } from './ui/tree/WorkspaceTreeModel';
import { count } from './ui/words';
import { AttachTerminals } from './ui/vscode/AttachTerminals';
import { BASE_SCHEME, BaseContentProvider } from './ui/vscode/BaseContent';
import { commandLogger } from './ui/vscode/commandLogger';
import { readOnlyTexts } from './ui/vscode/ReadOnlyText';
import { registerCommands } from './ui/vscode/registerCommands';
import { VsCodeRepositories } from './ui/vscode/repositories';
import { VsCodeSettings } from './ui/vscode/settings';
import { VsCodeHost } from './ui/vscode/VsCodeHost';
import { WorkspaceStatusBar } from './ui/vscode/WorkspaceStatusBar';
import { WorkspaceTreeProvider } from './ui/vscode/WorkspaceTreeProvider';
import { askToRunProjectCommands } from './ui/projectApproval';

type Log = vscode.LogOutputChannel;

/**
 * Wires the services once, registers the view and commands, and returns the
 * API. Nothing here waits on tmux or git: reconciling runs after activation returns.
 */
export function activate(context: vscode.ExtensionContext): TmuxWorkspacesApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Tmux Workspaces', { log: true });
  const core = coreServices(context, log);
  const view = workspacesView(core);
  const commands = commandContext(core, view, log);
  const refresh = async () => {
    await core.lifecycle.reconcile();
    await view.model.refresh('manual');
  };
  const entries = commandEntries({ refresh, revealWorkspace: view.reveal, mutes: core.mutes });
  const { notifier, disposables: notifierDisposables } = agentNotifier(core, view, commands, entries);
  context.subscriptions.push(
    log,
    core.mutes,
    ...notifierDisposables,
    core.lifecycle,
    core.marker,
    core.agentReports,
    ...view.disposables,
    ...registerCommands(entries, commands),
    view.agentStates.onDidChange((changes) => notifier.onStates(changes)),
    core.lifecycle.onDidChange((change) => notifier.onLifecycle(change)),
    ...deliverQueuedWhenFree({ states: view.agentStates, changes: core.lifecycle.onDidChange, deliver: (key) => core.lifecycle.agentInput.deliverQueued(key), log }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void updateHasRepository(commands, core.git, log)),
    vscode.workspace.onDidChangeConfiguration(askReloadOnChange),
    // A shorter stuck timeout applies to the agents already working, not only to later ones.
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration(`${SECTION}.${SettingKey.agentStuckAfterSeconds}`) && view.agentStates.recompute()),
  );
  void updateHasRepository(commands, core.git, log);
  // Under the one command guard: a failed restore is shown and logged as a clicked one would be.
  const restoreOffer: CommandEntry = { id: CommandId.restoreSessions, title: 'Restore Sessions', run: (context) => offerRestore(context, core.settings.restoreOnStartup(), restoreOfferClaim(core.stateDir, componentLog(log, 'Restore'))) };
  void start(core, view, log).then(() => runCommand(restoreOffer, commands, undefined));
  lastLifecycle = core.lifecycle;
  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms`);
  return workspacesApi(core.lifecycle, { activationMs });
}

type Core = ReturnType<typeof coreServices>;
type View = ReturnType<typeof workspacesView>;

/** The editor-free services: tmux, git, records, agent reports and the lifecycle over them. */
function coreServices(context: vscode.ExtensionContext, log: Log) {
  const settings = new VsCodeSettings();
  const stateDir = context.globalStorageUri.fsPath;
  const commandLog = commandLogger(log);
  // Global storage is shared by every window: the lock files and the change marker live there.
  const marker = new ChangeMarker(join(stateDir, 'records-changed'), componentLog(log, 'ChangeMarker'));
  const tmux = new TmuxClient({ command: settings.tmuxCommand(), log: commandLog, logger: componentLog(log, 'TmuxClient') });
  const git = new GitClient({ log: commandLog });
  // Agents' hooks report into one file per session under global storage.
  const agentReports = new AgentStatusMonitor(agentStatusDir(stateDir), log);
  // Every record write is fenced across windows (docs/adr/0006-records-across-windows.md).
  const store = new RecordStore(context.globalState, { lockDir: stateDir, log: componentLog(log, 'RecordStore') });
  const lifecycle = new RuntimeLifecycle({
    tmux,
    git,
    gh: new GhCli({ log: commandLog }),
    log,
    agentReports: agentReports.onDidReport,
    store,
    stateDir,
    worktreeRoot: settings.worktreeRoot(),
    reapOrphans: settings.reapOrphans(),
    statusLine: () => settings.statusLine(),
    ports: (repoPath) => [settings.ports(repoPath)],
    environmentTemplates: (repoPath) => [settings.environmentTemplates(repoPath)],
    scrollbackLines: () => settings.scrollbackLines(),
    isTrusted: () => vscode.workspace.isTrusted,
    approveProject: (request) => askToRunProjectCommands((message, detail, ...actions) => Promise.resolve(vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions)), request),
    teardownTimeoutMs: () => settings.teardownTimeoutMs(),
    lock: currentUnder(new FileLock(join(stateDir, 'locks'), { log, onCompromised: (error) => log.warn(`A workspace lock was lost: ${error.message}`) }), store),
    marker,
  });
  // Muted workspaces hold in every window: one file each under global storage.
  const mutes = new MuteStore(notificationDir(stateDir, 'muted'), { log: componentLog(log, 'notifications') });
  return { settings, stateDir, marker, tmux, git, agentReports, lifecycle, log, mutes };
}

/** The tree (model, provider, view), its badge, the status bar and the attach terminals. */
function workspacesView(core: Core) {
  const agentStates = new AgentStateModel({
    reports: core.agentReports,
    activity: new ActivitySampler(core.tmux),
    lifecycle: core.lifecycle.onDidChange,
    stuckAfterMs: () => core.settings.agentStuckAfterMs(),
    log: core.log,
  });
  const worktrees = new WorktreeWatcher({ log: componentLog(core.log, 'worktrees') });
  // Worktree sizes: measured after the rows are drawn, kept 10 minutes, shared with Show Disk Usage.
  const diskUsage = new DiskUsage({ log: componentLog(core.log, 'disk') });
  const model = new WorkspaceTreeModel(core.lifecycle, 50, agentStates, componentLog(core.log, 'tree'), worktrees, diskUsage, core.mutes);
  const provider = new WorkspaceTreeProvider(model);
  const treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const terminals = new AttachTerminals();
  const reveal = async (workspaceId: string) => {
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    const node = model.findWorkspace(workspaceId);
    if (node) await treeView.reveal(node, { select: true, focus: true, expand: true });
  };
  const updateBadge = () => {
    const waiting = agentStates.needsInput;
    treeView.badge = waiting > 0 ? { value: waiting, tooltip: `${count(waiting, 'agent needs', 'agents need')} your input` } : undefined;
  };
  const disposables: vscode.Disposable[] = [
    model,
    worktrees,
    readOnlyTexts.register(),
    vscode.workspace.registerTextDocumentContentProvider(BASE_SCHEME, new BaseContentProvider((workspaceId, commit, path) => core.lifecycle.textAt(workspaceId, commit, path))),
    provider,
    treeView,
    terminals,
    agentStates,
    new WorkspaceStatusBar(model),
    agentStates.onDidChange(updateBadge),
    // An agent another window stopped leaves the states without a change event: the next listing sets the badge right.
    model.onDidChange(updateBadge),
    treeView.onDidChangeVisibility((event) => agentStates.setVisible(event.visible)),
    model.onDidChange(() => updateContextKeys(model)),
  ];
  return { agentStates, model, treeView, terminals, reveal, diskUsage, disposables };
}

function commandContext(core: Core, view: View, log: Log): CommandContext {
  return {
    lifecycle: core.lifecycle,
    host: new VsCodeHost(view.terminals, log, view.reveal),
    log,
    settings: core.settings,
    repositories: new VsCodeRepositories(core.settings, log),
    environment: process.env,
    agentState: (sessionKey) => view.agentStates.state(sessionKey),
    diskUsage: view.diskUsage,
    hooks: { stateDir: core.stateDir, home: homedir(), codexHome: process.env.CODEX_HOME, configHome: process.env.XDG_CONFIG_HOME, claudeVersion: () => installedVersion('claude', log), ignoreLocally: (worktree, path) => core.git.ignoreLocally(worktree, path) },
  };
}

function agentNotifier(core: Core, view: View, commands: CommandContext, entries: readonly CommandEntry[]): { notifier: AgentNotifier; disposables: vscode.Disposable[] } {
  const entry = (id: CommandId) => entries.find((candidate) => candidate.id === id)!;
  const attachEntry = entry(CommandId.attach);
  return windowNotifier({
    stateDir: core.stateDir,
    terminals: view.terminals,
    mutes: core.mutes,
    host: commands.host,
    log: commands.log,
    mode: () => core.settings.notifications(),
    attach: async (sessionKey) => {
      await runCommand(attachEntry, commands, sessionKey);
    },
    promptAction: async (action, sessionKey) => {
      await runCommand(entry(action === 'send' ? CommandId.sendPromptAgain : CommandId.copyPrompt), commands, sessionKey);
    },
    branchOf: (workspaceId) => core.lifecycle.workspace(workspaceId)?.branch,
    reported: (sessionKey, state) => core.agentReports.report(sessionKey)?.state === state,
  });
}

/** After activation: agent reports, the first reconcile and the first listing, each failing on its own. */
async function start(core: Core, view: View, log: Log): Promise<void> {
  await core.mutes.start().catch(logFailure(log, 'Reading the muted workspaces'));
  await core.agentReports.start().catch(logFailure(log, 'Watching agent state reports'));
  view.agentStates.setVisible(view.treeView.visible);
  await core.lifecycle.start().catch(logFailure(log, 'Reconcile at activation', 'error'));
  await view.model.refresh('startup').catch(logFailure(log, 'Listing the workspaces at activation', 'error'));
  // A tmux older than the minimum counts as missing; say which version is needed (TmuxClient logged it).
  const tooOld = await core.tmux.unsupported();
  if (tooOld) void vscode.window.showWarningMessage(`Tmux Workspaces: ${tooOld}`);
  // The context keys (and so the welcome views) are set whatever failed.
  updateContextKeys(view.model);
}

function askReloadOnChange(event: vscode.ConfigurationChangeEvent): void {
  if (!RELOAD_SETTINGS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) return;
  void vscode.window.showInformationMessage('Tmux Workspaces: reload the window to apply the changed setting.', 'Reload Window').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.reloadWindow');
  });
}

/** Whether a git repository is open, for the "No git repository is open" welcome. */
async function updateHasRepository(commands: CommandContext, git: GitClient, log: Log): Promise<void> {
  try {
    const hasRepository = await anyGitRepository(await commands.repositories.repositories(), git);
    await vscode.commands.executeCommand('setContext', ContextKey.hasRepository, hasRepository);
  } catch (error) {
    log.error('Looking for an open git repository failed', error);
  }
}

/** Context keys the welcome views and menus depend on. */
function updateContextKeys(model: WorkspaceTreeModel): void {
  void vscode.commands.executeCommand('setContext', ContextKey.loaded, model.isLoaded);
  void vscode.commands.executeCommand('setContext', ContextKey.tmuxMissing, !model.tmuxAvailable);
  void vscode.commands.executeCommand('setContext', ContextKey.empty, model.workspaces.length === 0);
}

/** The lifecycle whose sessions' scrollback the window's close saves once more. */
let lastLifecycle: RuntimeLifecycle | undefined;

/** The window closes: one bounded save of the scrollback that changed (the editor waits a few seconds at most). */
export async function deactivate(): Promise<void> {
  await lastLifecycle?.comeback.flush(2_000);
  lastLifecycle = undefined;
}
