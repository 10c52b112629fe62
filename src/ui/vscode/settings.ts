import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { DEFAULT_STUCK_AFTER_SECONDS } from '../../core/agents/stateRules';
import { parseAgentSettings } from '../../core/agents/catalog';
import { statusLineMode, type StatusLineMode } from '../../core/tmux/statusLine';
import { notificationMode, type NotificationMode } from '../agents/notificationText';
import type { UpdateStrategy } from '../../core/git/Landing';
import type { PortOverride } from '../../core/lifecycle/portBlocks';
import type { EnvironmentLayer } from '../../core/lifecycle/workspaceEnvironment';
import type { Settings } from '../host';
import { SECTION, SettingKey } from '../ids';
import type { RestoreOnStartup } from '../commands/comebackCommands';
import { DEFAULT_SCROLLBACK_LINES } from '../../core/scrollback/ScrollbackFiles';


function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

/** A restricted setting set in workspace settings, which an untrusted workspace does not apply. */
function blockedByTrust(inspect: { workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined): boolean {
  return !vscode.workspace.isTrusted && (inspect?.workspaceValue !== undefined || inspect?.workspaceFolderValue !== undefined);
}

/** A setting's value where the user set one (folder, then workspace, then user settings), else undefined. */
function explicitValue<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const inspect = config.inspect<T>(key);
  return inspect?.workspaceFolderValue ?? inspect?.workspaceValue ?? inspect?.globalValue;
}

export class VsCodeSettings implements Settings {
  setupCommand(repoPath: string): { command?: string; blockedByTrust: boolean } {
    const config = vscode.workspace.getConfiguration(SECTION, vscode.Uri.file(repoPath));
    const command = config.get<string>(SettingKey.setupCommand)?.trim();
    return { command: command || undefined, blockedByTrust: blockedByTrust(config.inspect(SettingKey.setupCommand)) };
  }

  /** Read at each delete or archive (`tmuxWorkspaces.teardownTimeoutSeconds`, default 2 minutes). */
  teardownTimeoutMs(): number {
    const seconds = vscode.workspace.getConfiguration(SECTION).get<number>(SettingKey.teardownTimeoutSeconds, 120);
    return (Number.isFinite(seconds) && seconds > 0 ? seconds : 120) * 1000;
  }

  agents() {
    const config = vscode.workspace.getConfiguration(SECTION);
    return { ...parseAgentSettings(config.get(SettingKey.agents)), blockedByTrust: blockedByTrust(config.inspect(SettingKey.agents)) };
  }

  attachOnLaunch(): boolean {
    return vscode.workspace.getConfiguration(SECTION).get<boolean>(SettingKey.attachOnLaunch, true);
  }

  branchPrefix(): string {
    return vscode.workspace.getConfiguration(SECTION).get<string>(SettingKey.branchPrefix, '');
  }

  updateStrategy(): UpdateStrategy {
    return vscode.workspace.getConfiguration(SECTION).get<string>(SettingKey.updateStrategy) === 'rebase' ? 'rebase' : 'merge';
  }

  /** The tmux command as argv; the setting is split on white space (no shell is involved). */
  tmuxCommand(): string[] | undefined {
    const value = vscode.workspace.getConfiguration(SECTION).get<string>(SettingKey.tmuxCommand, '').trim();
    return value ? value.split(/\s+/) : undefined;
  }

  worktreeRoot(): string | undefined {
    const value = vscode.workspace.getConfiguration(SECTION).get<string>(SettingKey.worktreeRoot, '').trim();
    return value ? expandHome(value) : undefined;
  }

  repositories(): string[] {
    return vscode.workspace.getConfiguration(SECTION).get<string[]>(SettingKey.repositories, []).filter(Boolean).map(expandHome);
  }

  /** What agent notifications to show (`all` by default); the old boolean still reads as it meant. */
  notifications(): NotificationMode {
    return notificationMode(vscode.workspace.getConfiguration(SECTION).get<unknown>(SettingKey.notifications));
  }

  /** Read whenever states are decided: working with no output and no report this long is stuck. */
  agentStuckAfterMs(): number {
    const seconds = vscode.workspace.getConfiguration(SECTION).get<number>(SettingKey.agentStuckAfterSeconds, DEFAULT_STUCK_AFTER_SECONDS);
    return (Number.isFinite(seconds) && seconds >= 10 ? seconds : DEFAULT_STUCK_AFTER_SECONDS) * 1000;
  }

  /** Read at each launch: a change applies to the sessions started after it. */
  statusLine(): StatusLineMode {
    return statusLineMode(vscode.workspace.getConfiguration(SECTION).get<string>(SettingKey.statusLine));
  }

  /**
   * The port settings the user set for a repository, and only those: one left
   * unset says nothing, so a layer below (a project file) or the default applies.
   */
  ports(repoPath: string): PortOverride & { source: string } {
    const config = vscode.workspace.getConfiguration(SECTION, vscode.Uri.file(repoPath));
    return { source: 'settings', base: explicitValue<number>(config, SettingKey.portsBase), blockSize: explicitValue<number>(config, SettingKey.portsBlockSize) };
  }

  /** `tmuxWorkspaces.env` for a repository; an untrusted workspace gets the user's own value only. */
  environmentTemplates(repoPath: string): EnvironmentLayer {
    const config = vscode.workspace.getConfiguration(SECTION, vscode.Uri.file(repoPath));
    const env = vscode.workspace.isTrusted ? config.get<Record<string, unknown>>(SettingKey.env) : config.inspect<Record<string, unknown>>(SettingKey.env)?.globalValue;
    return { source: `setting ${SECTION}.${SettingKey.env}`, env };
  }

  /** What a window that finds no tmux server does with the sessions that were (`Restore Sessions`). */
  restoreOnStartup(): RestoreOnStartup {
    const value = vscode.workspace.getConfiguration(SECTION).get<string>(SettingKey.restoreOnStartup);
    return value === 'always' || value === 'never' ? value : 'ask';
  }

  /** Read at each save: how many lines of history are kept per terminal. */
  scrollbackLines(): number {
    return vscode.workspace.getConfiguration(SECTION).get<number>(SettingKey.scrollbackLines, DEFAULT_SCROLLBACK_LINES);
  }

  reapOrphans(): boolean {
    return vscode.workspace.getConfiguration(SECTION).get<boolean>(SettingKey.reapOrphans, false);
  }
}
