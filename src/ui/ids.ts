/**
 * Every name the extension shares with package.json: command ids, setting
 * keys, the view and the context keys its `when` clauses read. A unit test
 * holds package.json to this file.
 */
export const SECTION = 'tmuxWorkspaces';

export const VIEW_ID = `${SECTION}.workspaces`;

/**
 * The view's name, the same as its container's title: the editor then heads a
 * container holding only this view with it alone, not "TMUX WORKSPACES: WORKSPACES".
 */
export const VIEW_TITLE = 'Tmux Workspaces';

const command = <N extends string>(name: N) => `${SECTION}.${name}` as const;

export const CommandId = {
  createWorkspace: command('createWorkspace'),
  createWorkspaceAndLaunchAgent: command('createWorkspaceAndLaunchAgent'),
  retrySetup: command('retrySetup'),
  deleteWorkspace: command('deleteWorkspace'),
  retryDelete: command('retryDelete'),
  archiveWorkspace: command('archiveWorkspace'),
  restoreWorkspace: command('restoreWorkspace'),
  deleteArchived: command('deleteArchived'),
  launchAgent: command('launchAgent'),
  launchShell: command('launchShell'),
  attach: command('attach'),
  stopSession: command('stopSession'),
  resumeAgent: command('resumeAgent'),
  dismissResumable: command('dismissResumable'),
  restoreSessions: command('restoreSessions'),
  showPreviousOutput: command('showPreviousOutput'),
  copyAttachCommand: command('copyAttachCommand'),
  sendPromptAgain: command('sendPromptAgain'),
  copyPrompt: command('copyPrompt'),
  openChange: command('openChange'),
  sendToAgent: command('sendToAgent'),
  sendMessage: command('sendMessage'),
  cancelQueued: command('cancelQueued'),
  openAllChanges: command('openAllChanges'),
  commitAll: command('commitAll'),
  push: command('push'),
  mergeIntoBase: command('mergeIntoBase'),
  updateFromBase: command('updateFromBase'),
  createPullRequest: command('createPullRequest'),
  openWorkspaceFolder: command('openWorkspaceFolder'),
  showSetupLog: command('showSetupLog'),
  installAgentHooks: command('installAgentHooks'),
  refresh: command('refresh'),
  showLog: command('showLog'),
  revealWorkspace: command('revealWorkspace'),
  killOrphan: command('killOrphan'),
  adoptOrphan: command('adoptOrphan'),
  showDiskUsage: command('showDiskUsage'),
  muteNotifications: command('muteNotifications'),
  unmuteNotifications: command('unmuteNotifications'),
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

/** Setting keys inside the `tmuxWorkspaces` section. */
export const SettingKey = {
  tmuxCommand: 'tmuxCommand',
  worktreeRoot: 'worktreeRoot',
  branchPrefix: 'branchPrefix',
  repositories: 'repositories',
  setupCommand: 'setupCommand',
  teardownTimeoutSeconds: 'teardownTimeoutSeconds',
  agents: 'agents',
  attachOnLaunch: 'attachOnLaunch',
  notifications: 'notifications',
  agentStuckAfterSeconds: 'agentStuckAfterSeconds',
  reapOrphans: 'reapOrphans',
  statusLine: 'statusLine',
  updateStrategy: 'updateStrategy',
  portsBase: 'ports.base',
  portsBlockSize: 'ports.blockSize',
  env: 'env',
  restoreOnStartup: 'restoreOnStartup',
  scrollbackLines: 'scrollbackLines',
} as const;

export type SettingKey = (typeof SettingKey)[keyof typeof SettingKey];

/** Settings read once at activation: changing them asks for a reload. */
export const RELOAD_SETTINGS: readonly SettingKey[] = [SettingKey.tmuxCommand, SettingKey.worktreeRoot, SettingKey.reapOrphans];

/** Context keys the welcome views and menus depend on. */
export const ContextKey = {
  loaded: `${SECTION}.loaded`,
  tmuxMissing: `${SECTION}.tmuxMissing`,
  empty: `${SECTION}.empty`,
  hasRepository: `${SECTION}.hasRepository`,
} as const;
