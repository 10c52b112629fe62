import type { Logger, LogLevel } from '../../src/core/log';
import { commandEntries, runCommand } from '../../src/ui/commands/registry';
import type { CommandTarget } from '../../src/ui/commands/targets';
import type { CommandContext, EditorSelection, FileDiff, InputOptions, PickItem, PickOptions, Settings, UiHost } from '../../src/ui/host';
import type { CommandId } from '../../src/ui/ids';

/** A log that keeps every line with its level, like the LogOutputChannel would show it. */
export class RecordingLog implements Logger {
  readonly lines: { level: LogLevel; message: string }[] = [];

  trace(message: string): void {
    this.lines.push({ level: 'trace', message });
  }

  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }

  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }

  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }

  error(message: string | Error): void {
    this.lines.push({ level: 'error', message: message instanceof Error ? message.message : message });
  }

  /** The lines a LogOutputChannel at its default level (info) shows. */
  shown(): { level: LogLevel; message: string }[] {
    return this.lines.filter((line) => line.level === 'info' || line.level === 'warn' || line.level === 'error');
  }
}

/** A scripted answer to a modal: pressing Enter, which picks the dialog's default (its first action, as in VS Code). */
/** Settings as a user who set nothing has them, with `overrides` on top. */
export function plainSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    setupCommand: () => ({ command: undefined, blockedByTrust: false }),
    agents: () => ({ agents: [], problems: [], blockedByTrust: false }),
    attachOnLaunch: () => false,
    branchPrefix: () => '',
    updateStrategy: () => 'merge',
    ...overrides,
  };
}

export const ENTER = Symbol('Enter');

/** A scripted answer to a quick pick: these values typed into it one after another, then Enter. */
export interface Typing {
  readonly typing: readonly string[];
}

export function typing(...values: string[]): Typing {
  return { typing: values };
}

type Answer = string | undefined | typeof ENTER | Typing;

/**
 * The editor's side of a command, answered from a script: each pick, input
 * and confirm takes the next scripted answer (a pick answers with the label
 * it chooses). Everything the command showed is kept for assertions.
 */
export class ScriptedHost implements UiHost {
  readonly shown: { kind: string; message: string; detail?: string; actions?: readonly string[] }[] = [];
  /** The action a notification is answered with when it offers it (e.g. `Attach`); otherwise notifications are dismissed. */
  clickAction: string | undefined;
  readonly terminals: { tmuxName: string; title: string; argv: readonly string[]; cwd?: string }[] = [];
  readonly validations: { value: string; problem: string | undefined }[] = [];
  readonly clipboard: string[] = [];
  readonly revealed: string[] = [];
  /** What reveal throws after recording the workspace, as the editor's does when the row changed under it. */
  revealError: Error | undefined;
  readonly texts: { title: string; text: string }[] = [];
  /** What `activeSelection` answers: a selection the user has made in an editor. */
  selection: EditorSelection | undefined;
  /** Every diff editor opened: one file's, or several together. */
  readonly diffs: { title: string; diffs: readonly FileDiff[] }[] = [];
  readonly opened: string[] = [];
  /** The settings Open Settings was asked to show, by id. */
  readonly settingsOpened: string[] = [];
  /** How many times Show Log was clicked through to the log. */
  logShown = 0;
  /** Whether the GitHub Pull Requests extension is installed, and how often it was handed a pull request to create. */
  pullRequestExtension = false;
  /** One entry per hand-over (an array: the guard's host wraps this one, so a counter would be set on the wrapper). */
  readonly pullRequestHandovers: string[] = [];
  /** What `activeUntitledText` answers: the text of an untitled editor the user has open. */
  untitledText: string | undefined;

  constructor(
    private readonly answers: Answer[] = [],
    /** Values to run through an input box's validator before answering. */
    private readonly typed: string[] = [],
  ) {}

  private next(kind: string): Answer {
    if (this.answers.length === 0) throw new Error(`no scripted answer left for ${kind}`);
    return this.answers.shift();
  }

  /** The next answer for a pick or input box, where Enter alone means nothing. */
  private nextText(kind: string): string | undefined {
    const answer = this.next(kind);
    if (answer === ENTER || typeof answer === 'object') throw new Error(`${kind}: Enter and typing are scripted only for modals and picks`);
    return answer;
  }

  async pick<T extends PickItem>(items: readonly T[], options: PickOptions<T>): Promise<T | undefined> {
    const answer = this.next(`pick "${options.title}"`);
    if (typeof answer === 'object') return this.typeInto(items, options, answer.typing);
    if (answer === ENTER) throw new Error(`pick "${options.title}": Enter is scripted only for modals`);
    const label = answer;
    if (label === undefined) return undefined;
    const found = items.find((item) => item.label === label || item.label.endsWith(` ${label}`));
    if (!found) throw new Error(`pick "${options.title}": no item "${label}" in ${items.map((item) => item.label).join(', ')}`);
    return found;
  }

  /**
   * Typing into a quick pick, then Enter, as VS Code does it: each value shows
   * the typed row (its problem is kept in `validations`); Enter takes the typed
   * row unless it has a problem, else the first row the text filters to. With
   * neither, Enter does nothing, and the script cannot go on.
   */
  private typeInto<T extends PickItem>(items: readonly T[], options: PickOptions<T>, values: readonly string[]): T {
    let typed: T | undefined;
    for (const value of values) {
      typed = options.typedItem?.(value);
      this.validations.push({ value, problem: typed?.problem });
    }
    const value = values.at(-1) ?? '';
    if (typed?.problem) throw new Error(`pick "${options.title}": typed "${value}" would not be accepted: ${typed.problem}`);
    if (typed) return typed;
    const lookFor = value.trim().toLowerCase();
    const plain = (text?: string) => (text ?? '').replace(/\$\([^)]*\)\s*/g, '').toLowerCase();
    const filtered = items.find((item) => item.kind !== 'separator' && (plain(item.label).includes(lookFor) || plain(item.description).includes(lookFor)));
    if (!filtered) throw new Error(`pick "${options.title}": typing "${value}" leaves no row, so Enter does nothing`);
    return filtered;
  }

  async input(options: InputOptions): Promise<string | undefined> {
    for (const value of this.typed.splice(0)) this.validations.push({ value, problem: await options.validate?.(value) });
    const answer = this.nextText(`input "${options.title}"`);
    if (answer !== undefined && options.validate && (await options.validate(answer))) throw new Error(`input "${answer}" would not be accepted`);
    return answer;
  }

  async confirm<A extends string>(message: string, detail: string, ...actions: A[]): Promise<A | undefined> {
    this.shown.push({ kind: 'confirm', message, detail, actions });
    const answer = this.next(`confirm "${message}"`);
    return (answer === ENTER ? actions[0] : answer) as A | undefined;
  }

  async info<A extends string>(message: string, ...actions: A[]): Promise<A | undefined> {
    this.shown.push({ kind: 'info', message, ...(actions.length > 0 ? { actions } : {}) });
    return this.notificationAction(actions);
  }

  async warn<A extends string>(message: string, ...actions: A[]): Promise<A | undefined> {
    this.shown.push({ kind: 'warn', message, ...(actions.length > 0 ? { actions } : {}) });
    return this.notificationAction(actions);
  }

  async error<A extends string>(message: string, ...actions: A[]): Promise<A | undefined> {
    this.shown.push({ kind: 'error', message, ...(actions.length > 0 ? { actions } : {}) });
    return this.notificationAction(actions);
  }

  /** A notification is answered with `clickAction` when it offers that action, else dismissed. */
  private notificationAction<A extends string>(actions: A[]): A | undefined {
    return actions.find((action) => action === this.clickAction);
  }

  withProgress<T>(_title: string, task: () => Promise<T>): Promise<T> {
    return task();
  }

  /** What cancellable progress reported, in order; `cancel` aborts the running one's signal (a click on Cancel). */
  readonly progressReports: string[] = [];
  // An object of its own: a command may see this host through a wrapper, whose writes of a plain field would stay on the wrapper.
  private readonly running: { progress?: AbortController } = {};

  withCancellableProgress<T>(title: string, task: (report: (message: string) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.running.progress = controller;
    this.progressReports.push(title);
    return task((message) => this.progressReports.push(message), controller.signal);
  }

  cancel(): void {
    this.running.progress?.abort();
  }

  attachTerminal(options: { tmuxName: string; title: string; argv: readonly string[]; cwd?: string }): void {
    this.terminals.push(options);
  }

  async copyToClipboard(text: string): Promise<void> {
    this.clipboard.push(text);
  }

  async openFolderInNewWindow(): Promise<void> {}

  async openFile(): Promise<void> {}

  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }

  async openSettings(settingId: string): Promise<void> {
    this.settingsOpened.push(settingId);
  }

  async reveal(workspaceId: string): Promise<void> {
    this.revealed.push(workspaceId);
    if (this.revealError) throw this.revealError;
  }

  showLog(): void {
    this.logShown += 1;
  }

  activeUntitledText(): string | undefined {
    return this.untitledText;
  }

  async showText(title: string, text: string): Promise<void> {
    this.texts.push({ title, text });
  }

  async openDiff(diff: FileDiff): Promise<void> {
    this.diffs.push({ title: diff.title, diffs: [diff] });
  }

  async openDiffs(title: string, diffs: readonly FileDiff[]): Promise<void> {
    this.diffs.push({ title, diffs });
  }

  activeSelection(): EditorSelection | undefined {
    return this.selection;
  }

  async createPullRequestInExtension(): Promise<boolean> {
    if (this.pullRequestExtension) this.pullRequestHandovers.push('pr.create');
    return this.pullRequestExtension;
  }
}

/** Runs a contributed command the way the editor does: through the one guard that reports its failure. */
export function runGuarded(context: CommandContext, id: CommandId, target?: CommandTarget): Promise<unknown> {
  const entry = commandEntries({ refresh: async () => undefined, revealWorkspace: async () => undefined }).find((candidate) => candidate.id === id);
  if (!entry) throw new Error(`no command ${id}`);
  return runCommand(entry, context, target);
}
