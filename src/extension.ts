import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TmuxWorkspacesApi } from './api';
import { ActivitySampler } from './core/agents/ActivitySampler';
import { AgentStatusMonitor, agentStatusDir } from './core/agents/AgentStatus';
import { GitClient } from './core/git/GitClient';
import { RuntimeLifecycle } from './core/lifecycle/RuntimeLifecycle';
import { FileLock } from './core/lifecycle/TransitionLock';
import { ChangeMarker } from './core/store/ChangeMarker';
import { RecordStore } from './core/store/RecordStore';
import { TmuxClient } from './core/tmux/TmuxClient';
import { AgentNotifier } from './ui/agents/AgentNotifier';
import { createWorkspace } from './ui/commands/createWorkspace';
import { deleteWorkspace } from './ui/commands/deleteWorkspace';
import { installAgentHooks } from './ui/commands/installAgentHooks';
import { launchAgent, launchAgentIn, launchShell } from './ui/commands/launchSession';
import { reporting } from './ui/commands/report';
import { adoptOrphan, attachOrphan, killOrphan } from './ui/commands/orphanCommands';
import { dismissResumable, resumeAgent } from './ui/commands/resumeCommands';
import { attach, copyAttachCommand, stopSession } from './ui/commands/sessionCommands';
import type { CommandTarget } from './ui/commands/targets';
import { openWorkspaceFolder, retrySetup, showSetupLog } from './ui/commands/workspaceCommands';
import { anyGitRepository, type CommandContext } from './ui/host';
import { AgentStateModel } from './ui/tree/AgentStateModel';
import { WorkspaceTreeModel } from './ui/tree/WorkspaceTreeModel';
import { AttachTerminals } from './ui/vscode/AttachTerminals';
import { commandLogger } from './ui/vscode/commandLogger';
import { VsCodeRepositories } from './ui/vscode/repositories';
import { SECTION, VsCodeSettings } from './ui/vscode/settings';
import { VsCodeHost } from './ui/vscode/VsCodeHost';
import { WorkspaceStatusBar } from './ui/vscode/WorkspaceStatusBar';
import { VIEW_ID, WorkspaceTreeProvider } from './ui/vscode/WorkspaceTreeProvider';

/**
 * Wires the services once and registers the view and commands. Nothing here
 * waits on tmux or git: reconciling runs after activation returns.
 */
export function activate(context: vscode.ExtensionContext): TmuxWorkspacesApi {
  const log = vscode.window.createOutputChannel('Tmux Workspaces', { log: true });
  const logger = commandLogger(log);
  const settings = new VsCodeSettings();
  const stateDir = context.globalStorageUri.fsPath;
  // Global storage is shared by every window: the lock files and the change marker live there.
  const marker = new ChangeMarker(join(stateDir, 'records-changed'));
  const tmux = new TmuxClient({ command: settings.tmuxCommand(), log: logger });
  const git = new GitClient({ log: logger });
  // Agents' hooks report into one file per session under global storage.
  const agentReports = new AgentStatusMonitor(agentStatusDir(stateDir));
  const lifecycle = new RuntimeLifecycle({
    tmux,
    git,
    agentReports: agentReports.onDidReport,
    store: new RecordStore(context.globalState),
    stateDir,
    worktreeRoot: settings.worktreeRoot(),
    reapOrphans: settings.reapOrphans(),
    lock: new FileLock(join(stateDir, 'locks'), { onCompromised: (error) => log.warn(`A workspace lock was lost: ${error.message}`) }),
    marker,
  });
  const agentStates = new AgentStateModel({ reports: agentReports, activity: new ActivitySampler(tmux), lifecycle: lifecycle.onDidChange });
  const model = new WorkspaceTreeModel(lifecycle, 50, agentStates);
  const provider = new WorkspaceTreeProvider(model);
  const treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const terminals = new AttachTerminals();
  const revealWorkspace = async (workspaceId: string) => {
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    const node = model.findWorkspace(workspaceId);
    if (node) await treeView.reveal(node, { select: true, focus: true, expand: true });
  };
  const host = new VsCodeHost(terminals, log, revealWorkspace);
  const commands: CommandContext = {
    lifecycle,
    host,
    settings,
    repositories: new VsCodeRepositories(settings),
    environment: process.env,
    hooks: { stateDir, home: homedir(), codexHome: process.env.CODEX_HOME, ignoreLocally: (worktree, path) => git.ignoreLocally(worktree, path) },
  };
  const notifier = new AgentNotifier({
    host,
    enabled: () => settings.notifications(),
    terminalFocused: (tmuxName) => vscode.window.state.focused && terminals.terminalFor(tmuxName) !== undefined && vscode.window.activeTerminal === terminals.terminalFor(tmuxName),
    attach: (sessionKey) => attach(commands, sessionKey),
    branchOf: (workspaceId) => lifecycle.workspace(workspaceId)?.branch,
  });
  const updateBadge = () => {
    const count = agentStates.needsInput;
    treeView.badge = count > 0 ? { value: count, tooltip: `${count} agent${count === 1 ? ' needs' : 's need'} your input` } : undefined;
  };

  const refresh = async () => {
    await reporting(host, 'Refresh', () => lifecycle.reconcile());
    await model.refresh('manual');
  };
  const register = (id: string, handler: (target: CommandTarget) => unknown) =>
    vscode.commands.registerCommand(`tmuxWorkspaces.${id}`, (target?: CommandTarget) => handler(target));

  context.subscriptions.push(
    log,
    lifecycle,
    marker,
    model,
    provider,
    treeView,
    terminals,
    new WorkspaceStatusBar(model),
    register('createWorkspace', () => createWorkspace(commands, { attach: settings.attachOnLaunch() })),
    register('createWorkspaceAndLaunchAgent', async () => {
      const record = await createWorkspace(commands, { attach: false });
      if (record?.status === 'ready') await launchAgentIn(commands, record.id);
    }),
    register('retrySetup', (target) => retrySetup(commands, target)),
    register('deleteWorkspace', (target) => deleteWorkspace(commands, target)),
    register('retryDelete', (target) => deleteWorkspace(commands, target, ['deletion_failed'])),
    register('launchAgent', (target) => launchAgent(commands, target)),
    register('launchShell', (target) => launchShell(commands, target)),
    register('attach', (target) => (typeof target === 'object' && target.kind === 'orphan' ? attachOrphan(commands, target) : attach(commands, target))),
    register('killOrphan', (target) => killOrphan(commands, target)),
    register('adoptOrphan', (target) => adoptOrphan(commands, target)),
    register('stopSession', (target) => stopSession(commands, target)),
    register('resumeAgent', (target) => resumeAgent(commands, target)),
    register('dismissResumable', (target) => dismissResumable(commands, target)),
    register('installAgentHooks', (target) => installAgentHooks(commands, target)),
    register('copyAttachCommand', (target) => copyAttachCommand(commands, target)),
    register('openWorkspaceFolder', (target) => openWorkspaceFolder(commands, target)),
    register('showSetupLog', (target) => showSetupLog(commands, target)),
    register('refresh', refresh),
    register('showLog', () => log.show()),
    register('revealWorkspace', (target) => (typeof target === 'string' ? revealWorkspace(target) : undefined)),
    agentReports,
    agentStates,
    agentStates.onDidChange((changes) => {
      notifier.onStates(changes);
      updateBadge();
    }),
    lifecycle.onDidChange((change) => notifier.onLifecycle(change)),
    treeView.onDidChangeVisibility((event) => agentStates.setVisible(event.visible)),
    model.onDidChange(() => updateContextKeys(model)),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void updateHasRepository(commands, git, log)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (['tmuxCommand', 'worktreeRoot', 'reapOrphans'].some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
        void vscode.window.showInformationMessage('Tmux Workspaces: reload the window to apply the changed setting.', 'Reload Window').then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.action.reloadWindow');
        });
      }
    }),
  );

  // Each step fails on its own: the context keys (and so the welcome views) are set whatever fails.
  // Looking for repositories (the Git extension, git) runs beside it, not before the reconcile.
  void updateHasRepository(commands, git, log);
  void (async () => {
    await agentReports.start().catch((error) => log.warn(`Agent state reports are off: ${error instanceof Error ? error.message : String(error)}`));
    agentStates.setVisible(treeView.visible);
    try {
      await lifecycle.start();
    } catch (error) {
      log.error('Reconcile at activation failed', error);
    }
    try {
      await model.refresh('startup');
    } catch (error) {
      log.error('Listing the workspaces at activation failed', error);
    }
    updateContextKeys(model);
  })().catch((error) => log.error('Activation failed', error));

  return {
    version: 1,
    listWorkspaces: () => lifecycle.listWorkspaces(),
    createWorkspace: (request) => lifecycle.createWorkspace(request),
    launchSession: (workspaceId, request) => lifecycle.launchSession(workspaceId, request),
    stopSession: (key) => lifecycle.stopSession(key),
    deleteWorkspace: (workspaceId, options) => lifecycle.deleteWorkspace(workspaceId, options),
    reconcile: () => lifecycle.reconcile(),
    onDidChangeWorkspaces: lifecycle.onDidChange,
  };
}

/** Whether a git repository is open, for the "No git repository is open" welcome. */
async function updateHasRepository(commands: CommandContext, git: GitClient, log: vscode.LogOutputChannel): Promise<void> {
  try {
    const hasRepository = await anyGitRepository(await commands.repositories.repositories(), git);
    await vscode.commands.executeCommand('setContext', 'tmuxWorkspaces.hasRepository', hasRepository);
  } catch (error) {
    log.error('Looking for an open git repository failed', error);
  }
}

/** Context keys the welcome views and menus depend on. */
function updateContextKeys(model: WorkspaceTreeModel): void {
  void vscode.commands.executeCommand('setContext', 'tmuxWorkspaces.loaded', model.isLoaded);
  void vscode.commands.executeCommand('setContext', 'tmuxWorkspaces.tmuxMissing', !model.tmuxAvailable);
  void vscode.commands.executeCommand('setContext', 'tmuxWorkspaces.empty', model.workspaces.length === 0);
}

export function deactivate(): void {}
