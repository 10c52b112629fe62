import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { parseAgentSettings } from '../../core/agents/catalog';
import { statusLineMode, type StatusLineMode } from '../../core/tmux/statusLine';
import type { UpdateStrategy } from '../../core/git/Landing';
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

  /** Opt-in: tell the user when an agent needs input or is done. */
  notifications(): boolean {
    return vscode.workspace.getConfiguration(SECTION).get<boolean>(SettingKey.notifications, false);
  }

  /** Read at each launch: a change applies to the sessions started after it. */
  statusLine(): StatusLineMode {
    return statusLineMode(vscode.workspace.getConfiguration(SECTION).get<string>(SettingKey.statusLine));
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
