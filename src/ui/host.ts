import type { AgentState } from '../core/agents/AgentStatus';
import type { AgentDefinition } from '../core/agents/catalog';
import type { UpdateStrategy } from '../core/git/Landing';
import type { RuntimeLifecycle } from '../core/lifecycle/RuntimeLifecycle';
import type { Logger } from '../core/log';
import type { DiskSize } from '../core/disk/DiskUsage';

/** One row of a quick pick; a `separator` row only groups the rows after it. */
export interface PickItem {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly kind?: 'separator';
  /** Why this row cannot be accepted (a typed value that is not valid): shown on the row, and Enter on it does nothing. */
  readonly problem?: string;
}

/** A quick pick's texts, and the row the text typed into it becomes. */
export interface PickOptions<T extends PickItem> {
  readonly title: string;
  readonly placeHolder?: string;
  /** The row for what the user typed, shown first; undefined for none (nothing typed, or a row the list has). */
  readonly typedItem?: (value: string) => T | undefined;
}

/** An input box: its texts, and a validator run as the user types. */
export interface InputOptions {
  readonly title: string;
  readonly prompt?: string;
  readonly placeHolder?: string;
  readonly value?: string;
  /** A problem to show under the box as the user types, or undefined when fine. */
  readonly validate?: (value: string) => string | undefined | Promise<string | undefined>;
  readonly multiline?: boolean;
}

/**
 * The editor as the commands see it. `VsCodeHost` implements it with the
 * VS Code API; command tests drive it with scripted answers while the
 * lifecycle, tmux and git underneath are real.
 */
export interface UiHost {
  pick<T extends PickItem>(items: readonly T[], options: PickOptions<T>): Promise<T | undefined>;
  input(options: InputOptions): Promise<string | undefined>;
  /**
   * A modal dialog; resolves to the chosen action, undefined for Cancel. The
   * first action is the default (Enter picks it); Cancel is the editor's own.
   */
  confirm<A extends string>(message: string, detail: string, ...actions: A[]): Promise<A | undefined>;
  info<A extends string>(message: string, ...actions: A[]): Promise<A | undefined>;
  warn<A extends string>(message: string, ...actions: A[]): Promise<A | undefined>;
  error<A extends string>(message: string, ...actions: A[]): Promise<A | undefined>;
  /** Progress shown in the Tmux Workspaces view. */
  withProgress<T>(title: string, task: () => Promise<T>): Promise<T>;
  /**
   * Progress in the notification area, with a Cancel button: `report` names
   * what runs now (a setup step); `signal` aborts when the user cancels.
   */
  withCancellableProgress<T>(title: string, task: (report: (message: string) => void, signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Opens (or focuses) the integrated terminal attached to a tmux session. */
  attachTerminal(options: { tmuxName: string; title: string; argv: readonly string[]; cwd?: string }): void;
  copyToClipboard(text: string): Promise<void>;
  openFolderInNewWindow(path: string): Promise<void>;
  openFile(path: string): Promise<void>;
  /** Opens a web page in the browser (a missing tool's install page). */
  openExternal(url: string): Promise<void>;
  /** Opens the Settings editor at one setting, by its full id (`tmuxWorkspaces.agents`). */
  openSettings(settingId: string): Promise<void>;
  reveal(workspaceId: string): Promise<void>;
  showLog(): void;
  /** The text of the active editor when it is an untitled one (a long first prompt is written there). */
  activeUntitledText(): string | undefined;
  /** Shows read-only text, such as the last lines of an agent that failed. */
  showText(title: string, text: string): Promise<void>;
  /** Opens one file's diff in the diff editor. */
  openDiff(diff: FileDiff): Promise<void>;
  /** Opens several files' diffs together in the multi-file diff editor. */
  openDiffs(title: string, diffs: readonly FileDiff[]): Promise<void>;
  /** Hands over to the GitHub Pull Requests extension's create view (`pr.create`); resolves false when that extension is not installed. */
  createPullRequestInExtension(): Promise<boolean>;
  /** What is selected in the active editor (or diff editor's modified side), if anything. */
  activeSelection(): EditorSelection | undefined;
}

/** A selection in an editor: its file, its lines (1-based, inclusive) and its text. */
export interface EditorSelection {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly text: string;
}

/**
 * One side of a diff: a file on disk, a file's text at a commit of a
 * workspace's worktree (`path` relative to it; empty where the commit lacks
 * it), or nothing (the right side of a deleted file). `resource` is the file
 * on disk the side stands for, so the editor sees one file on both sides.
 */
export type DiffSide =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'commit'; readonly workspaceId: string; readonly commit: string; readonly path: string; readonly resource: string }
  | { readonly kind: 'empty'; readonly resource: string };

export interface FileDiff {
  readonly title: string;
  /** The file the diff is about, on disk (the multi-file editor names it). */
  readonly resource: string;
  readonly left: DiffSide;
  readonly right: DiffSide;
}

/** The settings commands read, each at the moment it is needed. */
export interface Settings {
  /** The setup command for a repository, unless it comes from settings an untrusted workspace may not use. */
  setupCommand(repoPath: string): { command?: string; blockedByTrust: boolean };
  agents(): { agents: AgentDefinition[]; problems: string[]; blockedByTrust: boolean };
  attachOnLaunch(): boolean;
  branchPrefix(): string;
  /** How Update from Base brings the base in (`tmuxWorkspaces.updateStrategy`). */
  updateStrategy(): UpdateStrategy;
}

/** Where Create Workspace finds repositories to offer. */
export interface RepositorySource {
  /** Repositories to offer: the ones the Git extension has open, plus configured ones. */
  repositories(): Promise<string[]>;
}

/**
 * Whether any offered path is really inside a git repository (open folders
 * are offered as a fallback whether or not they are). One `git rev-parse`
 * per path, stopping at the first repository.
 */
export async function anyGitRepository(paths: readonly string[], git: { repositoryRoot(path: string): Promise<string> }): Promise<boolean> {
  for (const path of paths) {
    if (await git.repositoryRoot(path).then(() => true, () => false)) return true;
  }
  return false;
}

/** What every command handler is given. */
export interface CommandContext {
  readonly lifecycle: RuntimeLifecycle;
  readonly host: UiHost;
  /** The log behind Show Log. */
  readonly log: Logger;
  readonly settings: Settings;
  readonly repositories: RepositorySource;
  /** The environment agent variables are taken from. */
  readonly environment: NodeJS.ProcessEnv;
  /** What installing agent hooks needs; without it, Install Agent Hooks says it is unavailable. */
  readonly hooks?: HookSetup;
  /** Worktree sizes (`DiskUsage`, shared with the tree); without it, Show Disk Usage says it is unavailable. */
  readonly diskUsage?: { size(root: string, options?: { fresh?: boolean }): Promise<DiskSize> };
  /** What an agent is doing as its row shows it (Send to Agent waits while it works); unknown without it. */
  readonly agentState?: (sessionKey: string) => AgentState | undefined;
}

/** What Install Agent Hooks writes with. */
export interface HookSetup {
  /** The extension's private folder; the hook reporter script is written there. */
  readonly stateDir: string;
  /** The user's home folder (`~/.claude`, `~/.codex`). */
  readonly home: string;
  /** `CODEX_HOME`, when set. */
  readonly codexHome?: string;
  /** `XDG_CONFIG_HOME`, when set (opencode's plugins folder is under it). */
  readonly configHome?: string;
  /** The installed Claude Code's version (its newer hook events go in only where it has them); unknown: all. */
  readonly claudeVersion?: () => Promise<readonly number[] | undefined>;
  /** Makes git ignore a file in a worktree without committing anything (the repository's `info/exclude`). */
  ignoreLocally(worktree: string, path: string): Promise<void>;
}
