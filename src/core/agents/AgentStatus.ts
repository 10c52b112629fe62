import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors';
import { Emitter, type Disposable } from '../events';
import { logFailure, silentLog, type Logger } from '../log';
import { isConversationId } from './resume';
import { privateFolder } from '../privateFolder';
import { PROMPT_LIMIT_BYTES, decodeEscaped, encodeEscaped } from './promptText';

/**
 * What an agent is doing, as the tree shows it. `done`: it ended its session
 * (or its process exited cleanly); `failed`: its process exited non-zero;
 * `stuck`: it says it works, but nothing came out and nothing was reported
 * for `tmuxWorkspaces.agentStuckAfterSeconds`.
 */
export type AgentState = 'working' | 'needs-input' | 'idle' | 'done' | 'failed' | 'stuck';

/** Why an agent needs input, when its hook says: a permission to grant, or a question to answer. */
export type NeedsInputReason = 'permission' | 'question';

/** The states a hook can report. */
export type ReportedState = Exclude<AgentState, 'failed' | 'stuck'>;

/** One report an agent's hook wrote into its session's status file. */
export interface HookReport {
  /** Milliseconds since the epoch, to the second. */
  readonly at: number;
  /** Which agent's hook wrote it: `claude`, `codex`, `gemini`, `opencode`. */
  readonly source: string;
  readonly state: ReportedState;
  readonly conversationId?: string;
  readonly reason?: NeedsInputReason;
  /** The tool, command or message the report names, decoded and bounded. */
  readonly detail?: string;
}

/** The pane variable that tells hooks where to report; unset outside our sessions, where hooks do nothing. */
export const STATUS_FILE_VARIABLE = 'TMUX_WORKSPACES_STATUS_FILE';

/**
 * How long a report is believed without anything newer; after that the pane's
 * activity alone decides. A `working` that goes quiet turns `stuck` long before
 * (`decideState`), so an hour is the limit of every state.
 */
export const REPORT_TTL_MS: Readonly<Record<ReportedState, number>> = {
  working: 60 * 60_000,
  'needs-input': 60 * 60_000,
  idle: 60 * 60_000,
  done: 60 * 60_000,
};

const STATES: readonly ReportedState[] = ['working', 'needs-input', 'idle', 'done'];
const REASONS: readonly NeedsInputReason[] = ['permission', 'question'];

export function agentStatusDir(stateDir: string): string {
  return join(stateDir, 'status');
}

/** One file per session, named by its key (tmux names hold only `[a-z0-9-]`). */
export function statusFilePath(statusDir: string, sessionKey: string): string {
  return join(statusDir, sessionKey);
}

/**
 * Parses a status file as the reporter script writes it: a first line
 * `<epoch seconds> <source> <state> <conversation id or -> [<reason or ->]`,
 * and an optional second line with the detail, JSON-escaped. Files of earlier
 * versions (the first line's four fields alone) parse too. Anything else is no report.
 */
export function parseStatusFile(text: string): HookReport | undefined {
  const [first = '', second = ''] = text.split('\n');
  const [seconds, source, state, conversation, reason] = first.trim().split(/\s+/);
  const at = Number(seconds) * 1000;
  if (!Number.isFinite(at) || at <= 0 || !source || !STATES.includes(state as ReportedState)) return undefined;
  const conversationId = conversation && conversation !== '-' && isConversationId(conversation) ? conversation : undefined;
  const detail = decodeEscaped(second.trim());
  return {
    at,
    source,
    state: state as ReportedState,
    ...(conversationId ? { conversationId } : {}),
    ...(REASONS.includes(reason as NeedsInputReason) ? { reason: reason as NeedsInputReason } : {}),
    ...(detail ? { detail } : {}),
  };
}

export function isFresh(report: HookReport, now: number): boolean {
  return now - report.at <= REPORT_TTL_MS[report.state];
}

/** What the tmux pane shows (`ActivitySampler`). */
export interface ActivityReading {
  /** It printed lately or shows a spinner in its title. */
  readonly working: boolean;
  /** Milliseconds since the epoch, to the second (tmux's `window_activity`). */
  readonly lastOutputAt: number;
  /** A spinner in the pane title (Claude Code, Gemini CLI show one while they work). */
  readonly spinner?: boolean;
  /** The window's bell flag: something rang the terminal bell since the window was last looked at. */
  readonly bell?: boolean;
  /** The pane's foreground command (`pane_current_command`). */
  readonly command?: string;
}

export interface StatusChange {
  readonly sessionKey: string;
  readonly report: HookReport;
}

/**
 * Watches the status folder the agents' hooks write into (one file per
 * session, replaced whole by a rename) and keeps the latest report of each.
 */
export class AgentStatusMonitor implements Disposable {
  private readonly reports = new Map<string, HookReport>();
  private readonly prompts = new Map<string, string>();
  private readonly changed: Emitter<StatusChange>;
  readonly onDidReport: Emitter<StatusChange>['event'];
  private readonly promptChanged: Emitter<string>;
  /** Fires with the session key whose latest prompt changed. */
  readonly onDidChangePrompt: Emitter<string>['event'];
  private watcher: FSWatcher | undefined;
  private readonly pending = new Set<string>();
  private flush: NodeJS.Timeout | undefined;
  private disposed = false;

  /** `log`: where failures that stop nothing go; default: nowhere. */
  constructor(
    readonly dir: string,
    private readonly log: Logger = silentLog,
  ) {
    this.changed = new Emitter<StatusChange>(log);
    this.onDidReport = this.changed.event;
    this.promptChanged = new Emitter<string>(log);
    this.onDidChangePrompt = this.promptChanged.event;
  }

  /** Creates the folder (private to the user), reads what is there and watches for more. */
  async start(): Promise<void> {
    await privateFolder(this.dir);
    if (this.disposed) return;
    this.watcher = watch(this.dir, (_event, name) => this.schedule(name ? baseKey(name.toString()) : undefined));
    this.watcher.on('error', (error) => this.log.warn(`watching ${this.dir} failed: ${errorMessage(error)}`));
    await this.rescan();
  }

  report(sessionKey: string): HookReport | undefined {
    return this.reports.get(sessionKey);
  }

  /** The latest prompt the session's agent was given (a hook's payload, else the launch's first prompt). */
  prompt(sessionKey: string): string | undefined {
    return this.prompts.get(sessionKey);
  }

  /** Drops what a session reported and its files, once the session has ended. */
  async forget(sessionKey: string): Promise<void> {
    this.reports.delete(sessionKey);
    this.prompts.delete(sessionKey);
    await Promise.all([rm(statusFilePath(this.dir, sessionKey), { force: true }), rm(promptFilePath(this.dir, sessionKey), { force: true })]);
  }

  /** Reads every status file now. */
  async rescan(): Promise<void> {
    // A folder not made yet has no reports in it.
    const names = (await readdir(this.dir).catch(logFailure(this.log, `reading ${this.dir}`, 'debug'))) ?? [];
    await Promise.all(names.filter((name) => !name.includes('.')).map((name) => this.read(name)));
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    if (this.flush) clearTimeout(this.flush);
    this.changed.dispose();
    this.promptChanged.dispose();
  }

  private schedule(key: string | undefined): void {
    if (key === undefined) {
      void this.rescan();
      return;
    }
    this.pending.add(key);
    // A burst of events for one rename is read once.
    this.flush ??= setTimeout(() => {
      this.flush = undefined;
      const keys = [...this.pending];
      this.pending.clear();
      for (const pendingKey of keys) void this.read(pendingKey);
    }, 20);
  }

  private async read(sessionKey: string): Promise<void> {
    // The prompt first: whoever hears of the report finds the prompt that came with it.
    await this.readPrompt(sessionKey);
    await this.readReport(sessionKey);
  }

  private async readReport(sessionKey: string): Promise<void> {
    // The file can be gone by now (the session ended and was forgotten).
    const text = await readFile(statusFilePath(this.dir, sessionKey), 'utf8').catch(logFailure(this.log, `reading the status of ${sessionKey}`, 'debug'));
    const report = text === undefined ? undefined : parseStatusFile(text);
    if (!report || this.disposed) return;
    const known = this.reports.get(sessionKey);
    if (known && sameReport(known, report)) return;
    this.reports.set(sessionKey, report);
    this.changed.fire({ sessionKey, report });
  }

  private async readPrompt(sessionKey: string): Promise<void> {
    // No prompt file: no prompt known yet (or the session was forgotten).
    const text = await readFile(promptFilePath(this.dir, sessionKey), 'utf8').catch(logFailure(this.log, `reading the prompt of ${sessionKey}`, 'debug'));
    const prompt = text === undefined ? undefined : decodeEscaped(text.trim());
    if (!prompt || this.disposed || this.prompts.get(sessionKey) === prompt) return;
    this.prompts.set(sessionKey, prompt);
    this.promptChanged.fire(sessionKey);
  }
}

function sameReport(a: HookReport, b: HookReport): boolean {
  return a.at === b.at && a.state === b.state && a.conversationId === b.conversationId && a.reason === b.reason && a.detail === b.detail;
}

/** The latest prompt of a session, beside its status file: the inside of a JSON string, as the reporter found it. */
export function promptFilePath(statusDir: string, sessionKey: string): string {
  return `${statusFilePath(statusDir, sessionKey)}.prompt`;
}

/** Keeps the first prompt a launch sends as the session's latest prompt until a hook reports a newer one (0600, like the reports). */
export async function rememberFirstPrompt(statusDir: string, sessionKey: string, prompt: string): Promise<void> {
  await privateFolder(statusDir);
  const path = promptFilePath(statusDir, sessionKey);
  const temporary = `${path}.tmp.${process.pid}`;
  await writeFile(temporary, `${encodeEscaped(prompt, PROMPT_LIMIT_BYTES)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/** `tw-x-claude-1f2e.tmp.123` (the reporter's temporary file) belongs to `tw-x-claude-1f2e`. */
function baseKey(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}
