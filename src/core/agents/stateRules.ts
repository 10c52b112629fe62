import type { ActivityReading, AgentState, HookReport, NeedsInputReason } from './AgentStatus';
import { isFresh } from './AgentStatus';

/** The default of `tmuxWorkspaces.agentStuckAfterSeconds`. */
export const DEFAULT_STUCK_AFTER_SECONDS = 180;

/**
 * Output this long after a report is the agent moving on from it (the user
 * typed, a tool runs, a new turn began). tmux and the reporter both keep
 * whole seconds, and an agent draws its prompt right as its hook runs.
 */
export const OUTPUT_OVERTAKES_MS = 2_000;

/** Everything known about one running agent. */
export interface Evidence {
  readonly report?: HookReport;
  readonly activity?: ActivityReading;
  /** When this window first saw the pane's bell flag set (it stays set until the window is visited). */
  readonly bellSeenAt?: number;
  readonly now: number;
  readonly stuckAfterMs: number;
}

/** The state to show, with what the evidence says about it; `at`: when the evidence that decided it happened. */
export interface StateReading {
  readonly state: AgentState;
  readonly reason?: NeedsInputReason;
  readonly detail?: string;
  readonly at: number;
}

/**
 * The state to show. Hooks come first: a fresh report stands until the pane
 * prints after it (the user answered, a tool runs, a new turn began), when the
 * activity decides again. A working report, or a spinner, with no output and
 * no report for `stuckAfterMs` is `stuck`. A bell that rang after everything
 * else means the agent waits for the user. Without either, nothing is known.
 */
export function decideState(evidence: Evidence): StateReading | undefined {
  const { report, activity, now } = evidence;
  const lastOutputAt = activity?.lastOutputAt ?? 0;
  const bell = bellReading(evidence);
  if (report && isFresh(report, now)) {
    const overtaken = activity !== undefined && lastOutputAt >= report.at + OUTPUT_OVERTAKES_MS;
    if (report.state === 'working') return workingOrStuck(Math.max(report.at, lastOutputAt), evidence, report.detail);
    if (!overtaken) {
      if (bell && bell.at > report.at) return bell;
      return { state: report.state, at: report.at, ...(report.reason ? { reason: report.reason } : {}), ...(report.detail ? { detail: report.detail } : {}) };
    }
  }
  if (!activity) return undefined;
  if (bell) return bell;
  if (!activity.working) return { state: 'idle', at: lastOutputAt };
  // Printing now is working; a spinner alone can hang.
  const printing = now - lastOutputAt < OUTPUT_OVERTAKES_MS + 1000 || !activity.spinner;
  return printing ? { state: 'working', at: lastOutputAt, ...commandDetail(activity) } : workingOrStuck(lastOutputAt, evidence, undefined);
}

function workingOrStuck(lastSignAt: number, evidence: Evidence, detail: string | undefined): StateReading {
  const quiet = evidence.now - lastSignAt;
  if (quiet >= evidence.stuckAfterMs) return { state: 'stuck', at: lastSignAt + evidence.stuckAfterMs, detail: `no output for ${Math.round(quiet / 1000)} s` };
  return { state: 'working', at: lastSignAt, ...(detail ? { detail } : evidence.activity ? commandDetail(evidence.activity) : {}) };
}

/** A bell counts while nothing was printed since it rang. */
function bellReading(evidence: Evidence): StateReading | undefined {
  const { activity, bellSeenAt } = evidence;
  if (!activity?.bell || bellSeenAt === undefined) return undefined;
  if (activity.lastOutputAt >= bellSeenAt + OUTPUT_OVERTAKES_MS) return undefined;
  return { state: 'needs-input', at: bellSeenAt, detail: 'it rang the terminal bell' };
}

/** The foreground command, when the agent runs one in the pane (`git commit` opening an editor, a test run). */
function commandDetail(activity: ActivityReading): { detail?: string } {
  return activity.command ? { detail: `running ${activity.command}` } : {};
}

/** When the state could next change by time alone (a working agent turning stuck), if ever. */
export function nextDeadline(reading: StateReading | undefined, evidence: Evidence): number | undefined {
  if (reading?.state !== 'working') return undefined;
  const lastSignAt = Math.max(evidence.report?.state === 'working' ? evidence.report.at : 0, evidence.activity?.lastOutputAt ?? 0);
  return lastSignAt + evidence.stuckAfterMs;
}
