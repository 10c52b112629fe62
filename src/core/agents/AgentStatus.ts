import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors';
import { Emitter, type Disposable } from '../events';
import { logFailure, silentLog, type Logger } from '../log';
import { isConversationId } from './resume';
import { privateFolder } from '../privateFolder';

/** What an agent is doing, as the tree shows it. `done`: its process ended on its own. */
export type AgentState = 'working' | 'needs-input' | 'idle' | 'done' | 'failed' | 'stuck';

/** Why an agent needs input, when its hook says. */
export type NeedsInputReason = 'permission' | 'question';

/** The states a hook can report. */
export type ReportedState = Exclude<AgentState, 'done' | 'failed' | 'stuck'>;

/** One report an agent's hook wrote into its session's status file. */
export interface HookReport {
  /** Milliseconds since the epoch, to the second. */
  readonly at: number;
  /** Which agent's hook wrote it: `claude`, `codex`. */
  readonly source: string;
  readonly state: ReportedState;
  readonly conversationId?: string;
}

/** The pane variable that tells hooks where to report; unset outside our sessions, where hooks do nothing. */
export const STATUS_FILE_VARIABLE = 'TMUX_WORKSPACES_STATUS_FILE';

/**
 * How long a report is believed. A `working` that no later report confirms
 * is soon doubted (an interrupted agent reports nothing more); the activity
 * fallback takes over. The other states last until the agent reports again.
 */
export const REPORT_TTL_MS: Readonly<Record<ReportedState, number>> = {
  working: 2 * 60_000,
  'needs-input': 60 * 60_000,
  idle: 60 * 60_000,
};

const STATES: readonly ReportedState[] = ['working', 'needs-input', 'idle'];

export function agentStatusDir(stateDir: string): string {
  return join(stateDir, 'status');
}

/** One file per session, named by its key (tmux names hold only `[a-z0-9-]`). */
export function statusFilePath(statusDir: string, sessionKey: string): string {
  return join(statusDir, sessionKey);
}

/**
 * Parses a status file: one line, `<epoch seconds> <source> <state> <conversation id or ->`,
 * as the reporter script writes it. Anything else is no report.
 */
export function parseStatusFile(text: string): HookReport | undefined {
  const [seconds, source, state, conversation] = text.trim().split(/\s+/);
  const at = Number(seconds) * 1000;
  if (!Number.isFinite(at) || at <= 0 || !source || !STATES.includes(state as ReportedState)) return undefined;
  const conversationId = conversation && conversation !== '-' && isConversationId(conversation) ? conversation : undefined;
  return { at, source, state: state as ReportedState, ...(conversationId ? { conversationId } : {}) };
}

export function isFresh(report: HookReport, now: number): boolean {
  return now - report.at <= REPORT_TTL_MS[report.state];
}

/** What the tmux pane shows: recent output or a spinner in its title. */
export interface ActivityReading {
  readonly working: boolean;
  readonly lastOutputAt: number;
}

/**
 * The state to show. A fresh hook report wins; Codex reports only the end of
 * a turn, so output after its `idle` means a new turn. Otherwise the pane's
 * activity decides between working and idle; without either, nothing is known.
 */
export function liveState(report: HookReport | undefined, activity: ActivityReading | undefined, now: number): ReportedState | undefined {
  if (report && isFresh(report, now)) {
    const overtaken = report.source === 'codex' && report.state === 'idle' && activity?.working === true && activity.lastOutputAt > report.at + 1000;
    if (!overtaken) return report.state;
  }
  if (!activity) return undefined;
  return activity.working ? 'working' : 'idle';
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
  private readonly changed: Emitter<StatusChange>;
  readonly onDidReport: Emitter<StatusChange>['event'];
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

  /** Drops what a session reported and its file, once the session has ended. */
  async forget(sessionKey: string): Promise<void> {
    this.reports.delete(sessionKey);
    await rm(statusFilePath(this.dir, sessionKey), { force: true });
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
    // The file can be gone by now (the session ended and was forgotten).
    const text = await readFile(statusFilePath(this.dir, sessionKey), 'utf8').catch(logFailure(this.log, `reading the status of ${sessionKey}`, 'debug'));
    const report = text === undefined ? undefined : parseStatusFile(text);
    if (!report || this.disposed) return;
    const known = this.reports.get(sessionKey);
    if (known && known.at === report.at && known.state === report.state && known.conversationId === report.conversationId) return;
    this.reports.set(sessionKey, report);
    this.changed.fire({ sessionKey, report });
  }
}

/** `tw-x-claude-1f2e.tmp.123` (the reporter's temporary file) belongs to `tw-x-claude-1f2e`. */
function baseKey(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}
