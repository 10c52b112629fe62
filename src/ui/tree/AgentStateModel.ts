import { basename } from 'node:path';
import type { ActivityReading, AgentState, HookReport, NeedsInputReason, StatusChange } from '../../core/agents/AgentStatus';
import { DEFAULT_STUCK_AFTER_SECONDS, decideState, nextDeadline, type Evidence, type StateReading } from '../../core/agents/stateRules';
import { Emitter, type Disposable, type Event } from '../../core/events';
import type { LifecycleChange, SessionView, WorkspaceView } from '../../core/lifecycle/RuntimeLifecycle';
import type { SessionRecord } from '../../core/store/records';
import { logFailure, silentLog, type Logger } from '../../core/log';

/** One agent that changed state (or reason, or detail). */
export interface AgentStateChange {
  readonly session: SessionRecord;
  readonly from: AgentState | undefined;
  readonly to: AgentState | undefined;
  readonly reason?: NeedsInputReason;
  readonly detail?: string;
  /** When the new state began (ms since the epoch). */
  readonly since: number;
}

/** What the row's tooltip tells of an agent. */
export interface AgentLatest {
  readonly state: AgentState;
  readonly reason?: NeedsInputReason;
  readonly detail?: string;
  readonly since: number;
  readonly prompt?: string;
}

/** The hook reports (`AgentStatusMonitor`). */
export interface HookReports {
  readonly onDidReport: Event<StatusChange>;
  readonly onDidChangePrompt?: Event<string>;
  report(sessionKey: string): HookReport | undefined;
  prompt?(sessionKey: string): string | undefined;
  forget(sessionKey: string): Promise<void>;
}

interface Current {
  readonly state: AgentState;
  readonly reason?: NeedsInputReason;
  readonly detail?: string;
  readonly since: number;
}

/** The tmux activity fallback (`ActivitySampler`). */
export interface ActivityReadings {
  sample(names: ReadonlySet<string>): Promise<Map<string, ActivityReading>>;
}

export interface AgentStateModelOptions {
  readonly reports: HookReports;
  readonly activity: ActivityReadings;
  readonly lifecycle: Event<LifecycleChange>;
  /** How often the activity fallback is sampled while the view is visible. */
  readonly intervalMs?: number;
  /** How often it is sampled while the view is hidden and agents run (the badge and notifications still count on it). */
  readonly hiddenIntervalMs?: number;
  /** `tmuxWorkspaces.agentStuckAfterSeconds` in ms: working with no output and no report this long is stuck. */
  readonly stuckAfterMs?: () => number;
  readonly now?: () => number;
  /** Where a failed status-file cleanup or activity sample goes (the tree keeps working). */
  readonly log?: Logger;
}

/** How often agents' panes are sampled while the view is hidden. */
const HIDDEN_SAMPLE_MS = 10_000;

/** Interpreters and shells an agent runs under: as `pane_current_command` they say nothing about what it runs. */
const NOT_A_TOOL = new Set(['node', 'bun', 'deno', 'python', 'python3', 'sh', 'bash', 'dash', 'zsh', 'fish']);

/**
 * What each running agent is doing (`decideState`): its hooks' reports first,
 * then what tmux knows of its pane (output, spinner, bell, foreground
 * command). Activity is sampled every 2 s while the view is visible, every
 * 10 s while it is hidden and agents run, and once more when a working agent
 * would turn stuck; hook reports arrive whenever the agents write them. One tmux
 * question answers for every agent (`ActivitySampler`).
 */
export class AgentStateModel implements Disposable {
  private readonly changed = new Emitter<AgentStateChange[]>();
  /** Fires with the agents whose state changed. */
  readonly onDidChange = this.changed.event;
  private readonly rowsChanged = new Emitter<void>();
  /** Fires when a row would read differently: a state or a latest prompt changed. */
  readonly onDidChangeRows = this.rowsChanged.event;
  private readonly current = new Map<string, Current>();
  private readonly readings = new Map<string, ActivityReading>();
  private readonly bells = new Map<string, number>();
  private agents: SessionView[] = [];
  private timer: NodeJS.Timeout | undefined;
  private visible = false;
  private deadline: { at: number; timer: NodeJS.Timeout } | undefined;
  private readonly subscriptions: Disposable[];
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly stuckAfterMs: () => number;

  constructor(private readonly options: AgentStateModelOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? silentLog;
    this.stuckAfterMs = options.stuckAfterMs ?? (() => DEFAULT_STUCK_AFTER_SECONDS * 1000);
    this.subscriptions = [
      options.reports.onDidReport(() => this.update()),
      ...(options.reports.onDidChangePrompt ? [options.reports.onDidChangePrompt((key) => this.promptChanged(key))] : []),
      options.lifecycle((change) => {
        if (change.type === 'session-ended' && change.session.kind === 'agent') this.ended(change.session, change.natural, change.exitCode);
      }),
    ];
  }

  get states(): ReadonlyMap<string, AgentState> {
    return new Map([...this.current].map(([key, current]) => [key, current.state]));
  }

  state(sessionKey: string): AgentState | undefined {
    return this.current.get(sessionKey)?.state;
  }

  /** State, reason, detail, since when, and the latest prompt: what the row and its tooltip say. */
  latest(sessionKey: string): AgentLatest | undefined {
    const current = this.current.get(sessionKey);
    const prompt = this.options.reports.prompt?.(sessionKey);
    if (!current) return undefined;
    return { ...current, ...(prompt ? { prompt } : {}) };
  }

  /** How many agents need input: the view's badge. */
  get needsInput(): number {
    let count = 0;
    for (const current of this.current.values()) if (current.state === 'needs-input') count += 1;
    return count;
  }

  /** The running agents, from the tree's latest snapshot. */
  track(views: readonly WorkspaceView[]): void {
    this.agents = views.flatMap((view) => view.sessions).filter((session) => session.alive && session.record.kind === 'agent');
    const keys = new Set(this.agents.map((session) => session.record.key));
    for (const key of this.readings.keys()) if (!keys.has(key)) this.readings.delete(key);
    for (const key of this.bells.keys()) if (!keys.has(key)) this.bells.delete(key);
    this.update();
  }

  /**
   * Sampling runs every 2 s while the view shows. Hidden, it goes on slowly
   * while agents run: an agent without hooks (or Codex, whose only sign of a
   * question is the bell) needs input all the same, and the activity bar's
   * badge and the notifications are how the user learns it.
   */
  setVisible(visible: boolean): void {
    if (this.timer && this.visible === visible) return;
    this.visible = visible;
    if (this.timer) clearInterval(this.timer);
    if (visible) void this.sample();
    const every = visible ? (this.options.intervalMs ?? 2_000) : (this.options.hiddenIntervalMs ?? HIDDEN_SAMPLE_MS);
    this.timer = setInterval(() => {
      if (this.visible || this.agents.length > 0) void this.sample();
    }, every);
    this.timer.unref();
  }

  /** States again now (a setting they depend on changed: the stuck timeout). */
  recompute(): void {
    this.update();
  }

  /** Reads what tmux knows of every running agent's pane (one question for all), then recomputes. */
  async sample(): Promise<void> {
    const names = new Set(this.agents.map((session) => session.record.tmuxName));
    const readings = await this.options.activity.sample(names).catch((error: unknown) => {
      logFailure(this.log, 'sampling agent activity', 'debug')(error);
      return new Map<string, ActivityReading>();
    });
    const now = this.now();
    for (const session of this.agents) {
      const reading = readings.get(session.record.tmuxName);
      if (!reading) continue;
      this.readings.set(session.record.key, withOwnCommandDropped(reading, session.record.command));
      // The flag stays set until the window is looked at: what counts is when it was first seen set.
      if (!reading.bell) this.bells.delete(session.record.key);
      else if (!this.bells.has(session.record.key)) this.bells.set(session.record.key, Math.min(now, Math.max(reading.lastOutputAt, 1)));
    }
    this.update();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.deadline) clearTimeout(this.deadline.timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
    this.rowsChanged.dispose();
  }

  private evidence(key: string, now: number): Evidence {
    return { report: this.options.reports.report(key), activity: this.readings.get(key), bellSeenAt: this.bells.get(key), now, stuckAfterMs: this.stuckAfterMs() };
  }

  private update(): void {
    const now = this.now();
    const changes: AgentStateChange[] = [];
    const keys = new Set<string>();
    let soonest: number | undefined;
    for (const { record } of this.agents) {
      keys.add(record.key);
      const evidence = this.evidence(record.key, now);
      const reading = decideState(evidence);
      const due = nextDeadline(reading, evidence);
      if (due !== undefined) soonest = Math.min(soonest ?? due, due);
      const change = this.apply(record, reading, now);
      if (change) changes.push(change);
    }
    for (const key of [...this.current.keys()]) if (!keys.has(key)) this.current.delete(key);
    this.schedule(soonest, now);
    if (changes.length > 0) this.fire(changes);
  }

  /** Records the new reading; a change when state, reason or detail moved. `since` moves only with the state. */
  private apply(record: SessionRecord, reading: StateReading | undefined, now: number): AgentStateChange | undefined {
    const before = this.current.get(record.key);
    if (!reading) {
      if (!before) return undefined;
      this.current.delete(record.key);
      return { session: record, from: before.state, to: undefined, since: now };
    }
    if (before && before.state === reading.state && before.reason === reading.reason && before.detail === reading.detail) return undefined;
    const since = before?.state === reading.state ? before.since : Math.min(reading.at || now, now);
    const next: Current = { state: reading.state, since, ...(reading.reason ? { reason: reading.reason } : {}), ...(reading.detail ? { detail: reading.detail } : {}) };
    this.current.set(record.key, next);
    return { session: record, from: before?.state, to: next.state, reason: next.reason, detail: next.detail, since };
  }

  /** One timer for the soonest agent to turn stuck: then tmux is asked once (the view may be hidden) and states recomputed. */
  private schedule(at: number | undefined, now: number): void {
    if (this.deadline && this.deadline.at === at) return;
    if (this.deadline) clearTimeout(this.deadline.timer);
    this.deadline = undefined;
    if (at === undefined) return;
    const timer = setTimeout(() => {
      this.deadline = undefined;
      void this.sample();
    }, Math.max(at - now, 0) + 50);
    timer.unref();
    this.deadline = { at, timer };
  }

  private promptChanged(key: string): void {
    if (this.agents.some((agent) => agent.record.key === key)) this.rowsChanged.fire();
  }

  private fire(changes: AgentStateChange[]): void {
    this.changed.fire(changes);
    this.rowsChanged.fire();
  }

  /** An agent's session ended: `done` or `failed` (exit status), then it is forgotten with its status files. */
  private ended(session: SessionRecord, natural: boolean, exitCode: number | undefined): void {
    this.readings.delete(session.key);
    this.bells.delete(session.key);
    void this.options.reports.forget(session.key).catch(logFailure(this.log, `forgetting the status report of ${session.label}`));
    const from = this.current.get(session.key)?.state;
    this.current.delete(session.key);
    const now = this.now();
    if (natural) {
      const failed = exitCode !== undefined && exitCode !== 0;
      this.fire([{ session, from, to: failed ? 'failed' : 'done', ...(failed ? { detail: `exit ${exitCode}` } : {}), since: now }]);
    } else if (from !== undefined) this.fire([{ session, from, to: undefined, since: now }]);
  }
}

/** The pane's foreground command counts only when it is not the agent itself or its interpreter. */
function withOwnCommandDropped(reading: ActivityReading, command: readonly string[]): ActivityReading {
  if (!reading.command) return reading;
  const own = new Set(command.slice(0, 2).map((part) => basename(part)));
  if (!own.has(reading.command) && !NOT_A_TOOL.has(reading.command)) return reading;
  return { working: reading.working, lastOutputAt: reading.lastOutputAt, spinner: reading.spinner, bell: reading.bell };
}
