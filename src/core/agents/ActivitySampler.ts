import type { PaneActivity } from '../tmux/TmuxClient';
import type { ActivityReading } from './AgentStatus';

/** Output within this long counts as working (tmux keeps activity to the second). */
export const DEFAULT_ACTIVE_WITHIN_MS = 3_000;

/** Braille spinner frames (⠋⠙⠹⠸…), which agents such as Claude Code show in the pane title while they work. */
const SPINNER = /[\u2801-\u28ff]/;

export function titleShowsSpinner(title: string): boolean {
  return SPINNER.test(title);
}

export function readActivity(pane: PaneActivity, now: number, activeWithinMs = DEFAULT_ACTIVE_WITHIN_MS): ActivityReading {
  // tmux truncates to the second, so "within N ms" allows for the fraction it dropped.
  const recent = now - pane.lastOutputAt < activeWithinMs + 1000;
  const spinner = titleShowsSpinner(pane.title);
  return { working: recent || spinner, lastOutputAt: pane.lastOutputAt, spinner, bell: pane.bell === true, ...(pane.command ? { command: pane.command } : {}) };
}

/** The part of `TmuxClient` the sampler uses. */
export interface ActivitySource {
  listActivity(): Promise<PaneActivity[]>;
}

/**
 * What tmux knows of each agent's pane, the evidence beside the hooks: when it
 * last printed, a spinner in its title, its bell flag and foreground command. One `list-sessions` call answers for every
 * session; samples never overlap (a call in flight is shared), so at most one
 * tmux process runs for it at any time.
 */
export class ActivitySampler {
  private inFlight: Promise<PaneActivity[]> | undefined;

  constructor(
    private readonly source: ActivitySource,
    private readonly activeWithinMs = DEFAULT_ACTIVE_WITHIN_MS,
  ) {}

  /** Readings for the sessions named (those not running are absent). */
  async sample(names: ReadonlySet<string>, now = Date.now()): Promise<Map<string, ActivityReading>> {
    const readings = new Map<string, ActivityReading>();
    if (names.size === 0) return readings;
    this.inFlight ??= this.source.listActivity().finally(() => {
      this.inFlight = undefined;
    });
    for (const pane of await this.inFlight) {
      if (names.has(pane.name)) readings.set(pane.name, readActivity(pane, now, this.activeWithinMs));
    }
    return readings;
  }
}
