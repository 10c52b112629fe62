import type { ActivityReading, AgentState, HookReport, NeedsInputReason, StatusChange } from '../../core/agents/AgentStatus';
import { isFresh, liveState } from '../../core/agents/AgentStatus';
import { Emitter, type Disposable, type Event } from '../../core/events';
import type { LifecycleChange, SessionView, WorkspaceView } from '../../core/lifecycle/RuntimeLifecycle';
import type { SessionRecord } from '../../core/store/records';
import { logFailure, silentLog, type Logger } from '../../core/log';

/** One agent that changed state. */
export interface AgentStateChange {
  readonly session: SessionRecord;
  readonly from: AgentState | undefined;
  readonly to: AgentState | undefined;
  readonly reason?: NeedsInputReason;
  readonly detail?: string;
  /** When the new state began (a hook report's time when it came from one): the same in every window for the same report. */
  readonly since: number;
}

/** The hook reports (`AgentStatusMonitor`). */
export interface HookReports {
  readonly onDidReport: Event<StatusChange>;
  report(sessionKey: string): HookReport | undefined;
  forget(sessionKey: string): Promise<void>;
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
  readonly now?: () => number;
  /** Where a failed status-file cleanup or activity sample goes (the tree keeps working). */
  readonly log?: Logger;
}

/**
 * What each running agent is doing: its hooks' fresh report when there is one,
 * otherwise its pane's activity. Activity is sampled only while the view is
 * visible and only for agents without a fresh report; hook reports arrive
 * whenever the agents write them, so "needs input" is known with the view hidden.
 */
export class AgentStateModel implements Disposable {
  private readonly changed = new Emitter<AgentStateChange[]>();
  /** Fires with the agents whose state changed. */
  readonly onDidChange = this.changed.event;
  private readonly current = new Map<string, AgentState>();
  private readonly readings = new Map<string, ActivityReading>();
  private agents: SessionView[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: Disposable[];
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly options: AgentStateModelOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? silentLog;
    this.subscriptions = [
      options.reports.onDidReport(() => this.update()),
      options.lifecycle((change) => {
        if (change.type !== 'session-ended' || change.session.kind !== 'agent') return;
        this.readings.delete(change.session.key);
        void options.reports.forget(change.session.key).catch(logFailure(this.log, `forgetting the status report of ${change.session.label}`));
        const from = this.current.get(change.session.key);
        this.current.delete(change.session.key);
        if (from !== undefined) this.changed.fire([{ session: change.session, from, to: undefined, since: this.now() }]);
      }),
    ];
  }

  get states(): ReadonlyMap<string, AgentState> {
    return this.current;
  }

  state(sessionKey: string): AgentState | undefined {
    return this.current.get(sessionKey);
  }

  /** How many agents need input: the view's badge. */
  get needsInput(): number {
    let count = 0;
    for (const state of this.current.values()) if (state === 'needs-input') count += 1;
    return count;
  }

  /** The running agents, from the tree's latest snapshot. */
  track(views: readonly WorkspaceView[]): void {
    this.agents = views.flatMap((view) => view.sessions).filter((session) => session.alive && session.record.kind === 'agent');
    const keys = new Set(this.agents.map((session) => session.record.key));
    for (const key of this.readings.keys()) if (!keys.has(key)) this.readings.delete(key);
    this.update();
  }

  /** Sampling runs only while the view shows. */
  setVisible(visible: boolean): void {
    if (!visible) {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs ?? 2_000);
    this.timer.unref();
  }

  /** Reads pane activity for the running agents whose hooks say nothing fresh, then recomputes. */
  async sample(): Promise<void> {
    const now = this.now();
    const names = new Set(
      this.agents
        .filter((session) => {
          const report = this.options.reports.report(session.record.key);
          // Codex reports only the end of a turn: its activity still tells when a new one starts.
          return !report || !isFresh(report, now) || report.source === 'codex';
        })
        .map((session) => session.record.tmuxName),
    );
    const readings = await this.options.activity.sample(names).catch((error: unknown) => {
      logFailure(this.log, 'sampling agent activity', 'debug')(error);
      return new Map<string, ActivityReading>();
    });
    for (const session of this.agents) {
      const reading = readings.get(session.record.tmuxName);
      if (reading) this.readings.set(session.record.key, reading);
    }
    this.update();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }

  private update(): void {
    const now = this.now();
    const changes: AgentStateChange[] = [];
    const keys = new Set<string>();
    for (const { record } of this.agents) {
      keys.add(record.key);
      const to = liveState(this.options.reports.report(record.key), this.readings.get(record.key), now);
      const from = this.current.get(record.key);
      if (to === from) continue;
      if (to === undefined) this.current.delete(record.key);
      else this.current.set(record.key, to);
      changes.push({ session: record, from, to, since: this.options.reports.report(record.key)?.at ?? now });
    }
    for (const key of [...this.current.keys()]) if (!keys.has(key)) this.current.delete(key);
    if (changes.length > 0) this.changed.fire(changes);
  }
}
