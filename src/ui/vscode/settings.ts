import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { parseAgentSettings } from '../../core/agents/catalog';
import { statusLineMode, type StatusLineMode } from '../../core/tmux/statusLine';
import { notificationMode, type NotificationMode } from '../agents/notificationText';
import type { UpdateStrategy } from '../../core/git/Landing';
import type { Settings } from '../host';
import { SECTION, SettingKey } from '../ids';


function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

/** A restricted setting set in workspace settings, which an untrusted workspace does not apply. */
function blockedByTrust(inspect: { workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined): boolean {
  return !vscode.workspace.isTrusted && (inspect?.workspaceValue !== undefined || inspect?.workspaceFolderValue !== undefined);
}

export class VsCodeSettings implements Settings {
  setupCommand(repoPath: string): { command?: string; blockedByTrust: boolean } {
    const config = vscode.workspace.getConfiguration(SECTION, vscode.Uri.file(repoPath));
    const command = config.get<string>(SettingKey.setupCommand)?.trim();
    return { command: command || undefined, blockedByTrust: blockedByTrust(config.inspect(SettingKey.setupCommand)) };
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

  /** Read at each launch: a change applies to the sessions started after it. */
  statusLine(): StatusLineMode {
    return statusLineMode(vscode.workspace.getConfiguration(SECTION).get<string>(SettingKey.statusLine));
  }

  reapOrphans(): boolean {
    return vscode.workspace.getConfiguration(SECTION).get<boolean>(SettingKey.reapOrphans, false);
  }
}
