import { logFailure } from '../log';
import type { LiveSession } from '../tmux/TmuxClient';
import type { LifecycleContext } from './context';

/** When a listing was asked: this window's tmux command count and record write count. */
interface Asked {
  readonly mutations: number;
  readonly records: number;
}

/**
 * The one-listing-per-refresh cache. A `list-sessions` answer is kept while it
 * is current: until the watcher reports any session or client change on the
 * server, this window runs a tmux command that may change it, or another
 * window's record write reaches this window (it may have killed what the
 * listing shows, and its write can arrive before the watcher's report). So a
 * refresh (reconcile, then list) asks tmux once. Without the watcher nothing is kept.
 */
export class SessionListing {
  private kept: (Asked & { readonly sessions: LiveSession[] }) | undefined;
  private inFlight: (Asked & { readonly sessions: Promise<LiveSession[]> }) | undefined;

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
    const asked = this.now();
    this.kept = undefined;
    const sessions = (await tmux.available()) ? await tmux.listSessions() : [];
    if (this.watcherRunning() && same(this.now(), asked)) this.kept = { ...asked, sessions };
    return sessions;
  }

  /** For readers (the tree): the kept listing while it is current, else one `fresh` shared by the callers that ask meanwhile. */
  current(): Promise<LiveSession[]> {
    const asked = this.now();
    if (this.kept && this.watcherRunning() && same(this.kept, asked)) return Promise.resolve(this.kept.sessions);
    // Joining a listing that started before a change (this window's, or another's write) would miss it.
    if (!this.inFlight || !same(this.inFlight, asked)) {
      const flight = { ...asked, sessions: this.fresh() };
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

  private now(): Asked {
    return { mutations: this.context.tmux.mutations, records: this.context.store.seq() };
  }
}

function same(a: Asked, b: Asked): boolean {
  return a.mutations === b.mutations && a.records === b.records;
}
