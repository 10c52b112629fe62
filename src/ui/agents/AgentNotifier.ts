import type { LifecycleChange } from '../../core/lifecycle/RuntimeLifecycle';
import type { SessionRecord } from '../../core/store/records';
import type { Disposable } from '../../core/events';
import { logFailure, type Logger } from '../../core/log';
import type { WindowFocus } from '../../core/notify/FocusBoard';
import { reporting } from '../commands/failures';
import { loggingHost } from '../commands/registry';
import type { UiHost } from '../host';
import type { AgentStateChange } from '../tree/AgentStateModel';
import { agentName, allows, coalescedText, exitNotice, stateNotice, type Notice, type NotificationMode } from './notificationText';

/** Runs a task later; the notifier's only clock, so tests drive it without sleeping. */
export interface Scheduler {
  after(ms: number, task: () => void): Disposable;
}

export const timerScheduler: Scheduler = {
  after(ms, task) {
    const timer = setTimeout(task, ms);
    timer.unref();
    return { dispose: () => clearTimeout(timer) };
  },
};

/** Which window tells about a change (`NotificationClaims`): resolves true in exactly one. */
export interface ClaimBoard {
  claim(sessionKey: string, state: string, since: number): Promise<boolean>;
}

export interface AgentNotifierOptions {
  readonly host: UiHost;
  /** Where every warning and error it shows is written too. */
  readonly log: Logger;
  /** The `tmuxWorkspaces.notifications` setting. */
  readonly mode: () => NotificationMode;
  /** Whether this window has the focus and this session's terminal is its active one. */
  readonly terminalFocused: (tmuxName: string) => boolean;
  /** Whether this window is the one in front of the user (`FocusBoard.leads`): it tells first, the others wait a moment. */
  readonly leads: () => Promise<boolean>;
  /** What the other windows of ours look at (`FocusBoard.others`); none when absent. */
  readonly otherWindows?: () => Promise<readonly WindowFocus[]>;
  /** Across windows, who tells; absent: this window alone. */
  readonly claims?: ClaimBoard;
  readonly muted: (workspaceId: string) => boolean;
  readonly mute: (workspaceId: string) => Promise<void>;
  /** Focuses the session's terminal, or opens one attached to it. */
  readonly attach: (sessionKey: string) => Promise<void>;
  /** Send First Prompt Again and Copy First Prompt, offered when a first prompt was not sent. */
  readonly promptAction: (action: PromptAction, sessionKey: string) => Promise<void>;
  readonly branchOf: (workspaceId: string) => string | undefined;
  /**
   * Whether the agent's hooks report the state it is in now. A turn is told
   * finished only on its hooks' word: a pause in the output of an agent
   * without hooks would otherwise be told as one. Absent: every turn.
   */
  readonly reported?: (sessionKey: string, state: string) => boolean;
  readonly scheduler?: Scheduler;
}

export type PromptAction = 'send' | 'copy';
const SEND_AGAIN = 'Send Again';
const COPY_PROMPT = 'Copy Prompt';
export const SHOW = 'Show';
export const MUTE = 'Mute This Workspace';
const SHOW_OUTPUT = 'Show Output';

/** How long notices wait to be told together; and how much longer a window not in front waits, to let that one tell first. */
export const COALESCE_MS = 400;
export const DEFER_MS = 1_100;

/** How many of a failed agent's last lines go into the notification itself (all of them are one click away). */
const LINES_IN_MESSAGE = 3;

/**
 * Tells the user what agents need, with where and why: an agent that needs
 * input (its permission, a question), a turn that finished, an agent that
 * failed. Once per state change, in one window of all those open, never while
 * that agent's terminal is in front of the user, never for a muted workspace,
 * and several at once as one notification. Also a first prompt that was not,
 * or may not have been, delivered.
 */
export class AgentNotifier implements Disposable {
  /** Each agent's last change told (or claimed), `state@since`: the same change is never told twice. */
  private readonly told = new Map<string, string>();
  /** Each agent's latest state as this window heard it (`exited` once it ended): a notice for a state it left is not told. */
  private readonly latest = new Map<string, string | undefined>();
  private pending: Notice[] = [];
  private flushing: Disposable | undefined;
  private readonly host: UiHost;
  private readonly scheduler: Scheduler;

  constructor(private readonly options: AgentNotifierOptions) {
    this.host = loggingHost(options.host, options.log, 'Agents');
    this.scheduler = options.scheduler ?? timerScheduler;
  }

  onStates(changes: readonly AgentStateChange[]): void {
    for (const change of changes) {
      // An agent that exited is told from the lifecycle, with its exit status (`onLifecycle`), whichever event came first.
      if (this.latest.get(change.session.key) === 'exited') continue;
      // A newer state replaces what was waiting to be told about that agent (the user answered it meanwhile).
      this.drop(change.session.key, change.to);
      this.latest.set(change.session.key, change.to);
      const notice = stateNotice(change, this.name(change.session));
      if (notice && (notice.kind !== 'finished' || (this.options.reported?.(change.session.key, notice.state) ?? true))) this.queue(notice);
    }
  }

  onLifecycle(change: LifecycleChange): void {
    if (change.type === 'prompt') {
      const prompt = change.session.prompt;
      if (prompt && (prompt.state === 'failed' || prompt.state === 'unknown')) void this.reportUnsentPrompt(change.session, prompt.state, change.detail);
      return;
    }
    if (change.type !== 'session-ended' || change.session.kind !== 'agent') return;
    this.drop(change.session.key);
    this.latest.set(change.session.key, 'exited');
    if (!change.natural || change.exitCode === undefined) return;
    const notice = exitNotice(change.session, change.exitCode, this.name(change.session));
    if (notice.kind === 'failed') void this.reportFailure(notice, change.lastLines);
    else this.queue(notice);
  }

  /** Tells what is waiting now (the coalescing timer's end), once the window in front had its moment to. */
  flush(): Promise<void> {
    this.flushing?.dispose();
    this.flushing = undefined;
    const notices = this.pending;
    this.pending = [];
    return this.tell(notices).catch(logFailure(this.options.log, 'telling about agents', 'error'));
  }

  dispose(): void {
    this.flushing?.dispose();
    this.pending = [];
  }

  private queue(notice: Notice): void {
    const mark = `${notice.state}@${notice.since}`;
    if (this.told.get(notice.session.key) === mark || !allows(this.options.mode(), notice.kind)) return;
    this.told.set(notice.session.key, mark);
    this.pending.push(notice);
    this.flushing ??= this.scheduler.after(COALESCE_MS, () => void this.flush());
  }

  /** Forgets the agent's waiting notices, except one about the state it is still in. */
  private drop(sessionKey: string, still?: string): void {
    this.pending = this.pending.filter((notice) => notice.session.key !== sessionKey || notice.state === still);
  }

  private async tell(notices: readonly Notice[]): Promise<void> {
    if (notices.length === 0) return;
    await this.waitTurn();
    // What the agent left while this window waited its turn is not told.
    const told = await this.decide(notices.filter((notice) => this.latest.get(notice.session.key) === notice.state));
    if (told.length === 1) await this.tellOne(told[0]);
    else if (told.length > 1) await this.tellMany(told);
  }

  /** The notices this window is to show: allowed, not muted, claimed here, and not in front of the user in any window. */
  private async decide(notices: readonly Notice[]): Promise<Notice[]> {
    const candidates = notices.filter((notice) => allows(this.options.mode(), notice.kind) && !this.options.muted(notice.session.workspaceId));
    if (candidates.length === 0) return [];
    const others = (await this.options.otherWindows?.().catch(logFailure(this.options.log, 'reading what the other windows show'))) ?? [];
    const decided = await Promise.all(
      candidates.map(async (notice) => {
        const name = notice.session.tmuxName;
        // The window that has this terminal in front of the user claims it, and stays quiet.
        if (others.some((window) => window.focused && window.terminal === name)) return false;
        if (!(await this.claim(notice))) return false;
        return !this.options.terminalFocused(name);
      }),
    );
    return candidates.filter((_notice, index) => decided[index]);
  }

  /** A window not in front of the user waits a moment: the one in front claims first, and tells where the user looks. */
  private async waitTurn(): Promise<void> {
    const leads = await this.options.leads().catch((error: unknown) => {
      logFailure(this.options.log, 'reading which window is in front')(error);
      return true;
    });
    if (!leads) await new Promise<void>((resolve) => this.scheduler.after(DEFER_MS, resolve));
  }

  /** A claim that fails (the shared folder unwritable) tells here anyway: twice is better than never. */
  private async claim(notice: Notice): Promise<boolean> {
    if (!this.options.claims) return true;
    try {
      return await this.options.claims.claim(notice.session.key, notice.state, notice.since);
    } catch (error) {
      logFailure(this.options.log, `claiming the notification about ${notice.session.label}; telling it in this window`)(error);
      return true;
    }
  }

  private async tellOne(notice: Notice): Promise<void> {
    const actions = notice.state === 'exited' ? [MUTE] : [SHOW, MUTE];
    await reporting({ host: this.options.host, log: this.options.log }, SHOW, async () => {
      const choice = await this.host.info(`${notice.text}.`, ...actions);
      if (choice === SHOW) await this.options.attach(notice.session.key);
      if (choice === MUTE) await this.muteFor(notice.session);
    });
  }

  /** One notification for several: it names each agent and where it runs, and offers Mute when they all run in one workspace. */
  private async tellMany(notices: readonly Notice[]): Promise<void> {
    const showable = notices.filter((notice) => notice.state !== 'exited');
    const workspaces = new Set(notices.map((notice) => notice.session.workspaceId));
    const [only] = workspaces.size === 1 ? notices : [];
    const branch = only && this.options.branchOf(only.session.workspaceId);
    const where = branch ? ` in "${branch}"` : '';
    const names = notices.map((notice) => (only ? notice.session.label : this.name(notice.session))).join(', ');
    const actions = [...(showable.length > 0 ? [SHOW] : []), ...(only ? [MUTE] : [])];
    await reporting({ host: this.options.host, log: this.options.log }, SHOW, async () => {
      const choice = await this.host.info(`${coalescedText(notices)}${where}: ${names}.`, ...actions);
      if (choice === MUTE && only) await this.muteFor(only.session);
      if (choice !== SHOW) return;
      const picked = await this.host.pick(
        showable.map((notice) => ({ label: notice.text, notice })),
        { title: 'Show Agent', placeHolder: 'The agent whose terminal to show' },
      );
      if (picked) await this.options.attach(picked.notice.session.key);
    });
  }

  private async muteFor(session: SessionRecord): Promise<void> {
    await this.options.mute(session.workspaceId);
    const branch = this.options.branchOf(session.workspaceId);
    void this.host.info(`Notifications muted for "${branch ?? session.workspaceId}". Unmute it from the workspace's context menu (Unmute Notifications).`);
  }

  private async reportFailure(notice: Notice, lastLines: string | undefined): Promise<void> {
    await this.waitTurn();
    const [told] = await this.decide([notice]).catch((error: unknown) => {
      logFailure(this.options.log, `deciding where to tell that ${notice.session.label} failed`)(error);
      return [notice];
    });
    if (!told) return;
    const tail = (lastLines ?? '').split('\n').map((line) => line.trimEnd()).filter(Boolean).slice(-LINES_IN_MESSAGE);
    const message = `${notice.text}.${tail.length > 0 ? ` Last output: ${tail.join(' ⏎ ')}` : ''}`;
    const choice = lastLines ? await this.host.error(message, SHOW_OUTPUT, MUTE) : await this.host.error(message, MUTE);
    if (choice === SHOW_OUTPUT && lastLines) await this.host.showText(`${notice.text}; its last lines:`, lastLines);
    if (choice === MUTE) await reporting({ host: this.options.host, log: this.options.log }, 'Mute This Workspace', () => this.muteFor(notice.session));
  }

  private async reportUnsentPrompt(session: SessionRecord, state: 'failed' | 'unknown', detail: string | undefined): Promise<void> {
    const why = detail ?? (state === 'failed' ? 'not sent' : 'it may not have arrived');
    const choice = await this.host.warn(`First prompt for ${this.name(session)}: ${why}.`, SEND_AGAIN, COPY_PROMPT);
    if (choice === SEND_AGAIN || choice === COPY_PROMPT) await this.options.promptAction(choice === SEND_AGAIN ? 'send' : 'copy', session.key);
  }

  private name(session: SessionRecord): string {
    return agentName(session, this.options.branchOf(session.workspaceId));
  }
}
