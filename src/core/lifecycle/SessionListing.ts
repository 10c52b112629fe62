import { logFailure } from '../log';
import type { LiveSession } from '../tmux/TmuxClient';
import type { LifecycleContext } from './context';

/**
 * The one-listing-per-refresh cache. A `list-sessions` answer is kept while it
 * is current: until the watcher reports any session or client change on the
 * server, or this window runs a tmux command that may change it. So a refresh
 * (reconcile, then list) asks tmux once. Without the watcher nothing is kept.
 */
export class SessionListing {
  private kept: { readonly sessions: LiveSession[]; readonly mutations: number } | undefined;
  private inFlight: { readonly mutations: number; readonly sessions: Promise<LiveSession[]> } | undefined;

  constructor(
    private readonly context: LifecycleContext,
    private readonly watcherRunning: () => boolean,
  ) {}

  /** The server changed (a watcher notification): the kept listing is stale. */
  invalidate(): void {
    this.kept = undefined;
  }

  /** A new listing, always asked of tmux (and kept for `current`): the exit check lists after reading records. */
  async fresh(): Promise<LiveSession[]> {
    const { tmux } = this.context;
    const mutations = tmux.mutations;
    this.kept = undefined;
    const sessions = (await tmux.available()) ? await tmux.listSessions() : [];
    if (this.watcherRunning() && tmux.mutations === mutations) this.kept = { sessions, mutations };
    return sessions;
  }

  /** For readers (the tree): the kept listing while it is current, else one `fresh` shared by the callers that ask meanwhile. */
  current(): Promise<LiveSession[]> {
    const mutations = this.context.tmux.mutations;
    if (this.kept && this.watcherRunning() && this.kept.mutations === mutations) return Promise.resolve(this.kept.sessions);
    // Joining a listing that started before this window changed the server would miss the change.
    if (this.inFlight?.mutations !== mutations) {
      const flight = { mutations, sessions: this.fresh() };
      this.inFlight = flight;
      // Its callers get the failure; this branch only clears the slot.
      void flight.sessions
        .finally(() => {
          if (this.inFlight === flight) this.inFlight = undefined;
        })
        .catch(logFailure(this.context.log, 'list-sessions', 'debug'));
    }
    return this.inFlight!.sessions;
  }
}
