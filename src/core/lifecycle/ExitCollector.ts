import { logFailure } from '../log';
import { isOurSessionName } from '../naming';
import { SCHEMA_VERSION, type ResumableRecord, type SessionRecord } from '../store/records';
import type { LiveSession } from '../tmux/TmuxClient';
import { isSameLaunch, type LifecycleContext } from './context';

/**
 * Exit collection: forgets the records of sessions that are no longer running
 * (only the generation that was seen dead) and reports each as ended.
 */
export class ExitCollector {
  private running: Promise<LiveSession[] | undefined> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: LifecycleContext,
    /** A listing asked of tmux now, never a kept one: it must come after the records are read. */
    private readonly freshListing: () => Promise<LiveSession[]>,
  ) {}

  /**
   * Records are read before tmux is asked, so a launch that records meanwhile
   * is not mistaken for a dead session. Calls that overlap share one run plus
   * one follow-up. Resolves to the listing the last pass made (none when
   * there were no records to check), so a reconcile lists once.
   */
  collect(): Promise<LiveSession[] | undefined> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.passes().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * A collection on the next turn, then `done`: notifications that arrive
   * together (one read of the control client's output) make one list-sessions
   * call, and one arriving while it runs makes one follow-up (`collect`).
   */
  schedule(done: () => void): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.collect()
        .catch(logFailure(this.context.log, 'exit collection after a tmux notification'))
        .then(done);
    }, 0);
  }

  /** Stops follow-up passes and scheduled collections (the lifecycle is disposed). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async passes(): Promise<LiveSession[] | undefined> {
    const { store, tmux } = this.context;
    let listing: LiveSession[] | undefined;
    do {
      this.again = false;
      listing = undefined;
      const snapshot = store.sessions();
      if (snapshot.length === 0) break;
      // A window that cannot run tmux knows nothing about what runs: "cannot list" is not "none left".
      if (!(await tmux.available())) break;
      listing = await this.freshListing();
      await this.forgetEnded(snapshot, listing);
    } while (this.again && !this.stopped);
    return listing;
  }

  private async forgetEnded(snapshot: readonly SessionRecord[], listing: readonly LiveSession[]): Promise<void> {
    const live = new Map(listing.map((session) => [session.name, session]));
    // Only a server with none of our sessions left is a reboot or a killed server; one session
    // gone among others was stopped (perhaps by another window) and is not resumable.
    const serverGone = !listing.some((session) => isOurSessionName(session.name));
    for (const record of snapshot) {
      const session = live.get(record.tmuxName);
      if (session && isSameLaunch(session, record)) continue;
      if (!(await this.context.store.forgetSession(record.key, record.createdAt))) continue;
      this.context.emit({ type: 'session-ended', session: record, natural: true, ...(await this.afterExit(record, serverGone)) });
    }
  }

  /**
   * What a session that is gone left: its exit status and, if it failed, its
   * last lines. A session that did not exit on its own (no status: the machine
   * rebooted, the server was killed) is kept as a record of what was: an agent
   * to resume (or, when it cannot be, with why), a shell to restore.
   */
  private async afterExit(record: SessionRecord, serverGone: boolean): Promise<{ exitCode?: number; lastLines?: string; resumable?: boolean }> {
    const { panes, store } = this.context;
    const exitCode = await panes.exitStatus(record.launchId);
    const lastLines = await panes.lastLines(record.launchId);
    if (exitCode !== undefined || !serverGone) return { exitCode, lastLines };
    await store.putResumable(stoppedRecord(record, Date.now()));
    return { resumable: record.kind === 'agent' && record.conversationId !== undefined && record.resumeArgv !== undefined };
  }
}

/** The record of what a session was, when the server went away under it. */
export function stoppedRecord(record: SessionRecord, stoppedAt: number): ResumableRecord {
  const { key, workspaceId, kind, agentId, label, conversationId, resumeArgv } = record;
  const base = { v: SCHEMA_VERSION, key, workspaceId, kind, agentId, label, startedAt: record.createdAt, stoppedAt };
  if (kind === 'shell') return base;
  const notResumable = !conversationId
    ? 'it never reported its conversation id (are its hooks installed? Install Agent Hooks)'
    : !resumeArgv
      ? 'it has no resume command (set resumeArgs for it in tmuxWorkspaces.agents)'
      : undefined;
  return { ...base, conversationId, resumeArgv, ...(notResumable ? { notResumable } : {}) };
}
