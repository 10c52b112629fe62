import { logFailure } from '../log';
import type { SessionRecord } from '../store/records';
import { DEFAULT_SAVE_PERIOD_MS, SCROLLBACK_LOCK, ScrollbackSaver } from '../scrollback/ScrollbackSaver';
import type { SavedScrollback } from '../scrollback/ScrollbackFiles';
import type { LifecycleContext } from './context';
import { SessionRestore, type EnvironmentFor, type RestoreOutcome, type RestorePlan, type RestoreScope, type RestoreSteps } from './SessionRestore';
import type { TransitionLock } from './TransitionLock';

export type { EnvironmentFor, RestoreOutcome, RestorePlan, RestoreScope } from './SessionRestore';

/** Restoring is done by one window at a time; a second one that comes later finds nothing left. */
export const RESTORE_LOCK = 'restore';

/**
 * Nothing lost to a reboot (`lifecycle.comeback`), a facade the coordinator
 * builds and hands its lock (as `agentInput`): sessions' scrollback saved
 * while they run, on stop and at window close; Show Previous Output; Restore
 * Sessions after the tmux server went away.
 */
export class Comeback {
  private readonly saver: ScrollbackSaver;
  private readonly restorer: SessionRestore;

  constructor(
    private readonly context: LifecycleContext,
    lock: TransitionLock,
    steps: RestoreSteps,
  ) {
    this.saver = new ScrollbackSaver({
      tmux: context.tmux,
      store: context.store,
      files: context.scrollback,
      log: context.log,
      alone: (task) => lock.tryRun(SCROLLBACK_LOCK, task),
    });
    this.restorer = new SessionRestore(context, { alone: (task) => lock.tryRun(RESTORE_LOCK, task), withWorkspace: (id, task) => lock.run(id, task) }, steps);
  }

  /** Activation: removes the files of what no longer exists, then saves live sessions on the slow timer. */
  async start(): Promise<void> {
    const { store, scrollback, log, options } = this.context;
    const recorded = new Set([...store.sessions().map((session) => session.tmuxName), ...store.resumables().map((stopped) => stopped.key), ...store.workspaces().map((record) => record.baseSession)]);
    await scrollback.sweep(new Set(store.workspaces().map((record) => record.id)), recorded).catch(logFailure(log, 'sweeping saved scrollback'));
    this.saver.start(options.scrollbackSaveMs ?? DEFAULT_SAVE_PERIOD_MS);
  }

  /** Saves every live session whose output changed since its last save; resolves to how many were captured. */
  saveChanged(): Promise<number> {
    return this.saver.saveChanged();
  }

  /** The window closes: one bounded last save. */
  flush(withinMs = 2_000): Promise<void> {
    return this.saver.flush(withinMs);
  }

  /** A stop saves the session's history before the kill (a failed save is logged; the stop goes on). */
  async beforeStop(record: SessionRecord): Promise<void> {
    const { scrollback, log } = this.context;
    await scrollback.save(record.tmuxName, { workspaceId: record.workspaceId, label: record.label, kind: record.kind }).catch(logFailure(log, `saving the scrollback of ${record.label} before stopping it`));
  }

  /** What session `name` printed last, as saved. */
  previousOutput(name: string): Promise<SavedScrollback | undefined> {
    return this.context.scrollback.read(name);
  }

  /** Every saved history of a workspace (base terminal, sessions that ran), newest first. */
  outputsOf(workspaceId: string): Promise<SavedScrollback[]> {
    return this.context.scrollback.ofWorkspace(workspaceId);
  }

  /** What Restore Sessions would bring back now. */
  plan(scope?: RestoreScope): Promise<RestorePlan> {
    return this.restorer.plan(scope);
  }

  /** Restore Sessions: once across windows. `environmentFor` gives each resumed agent its variables. */
  restore(scope: RestoreScope = {}, environmentFor?: EnvironmentFor): Promise<RestoreOutcome> {
    return this.restorer.restore(scope, environmentFor);
  }

  dispose(): void {
    this.saver.stop();
  }
}
