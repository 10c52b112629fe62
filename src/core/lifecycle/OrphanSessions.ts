import { randomUUID } from 'node:crypto';
import { WorkspaceError, refused } from '../errors';
import { SESSION_PREFIX, isOurSessionName } from '../naming';
import { SESSION_RECORD_OPTION, serialiseSession } from '../store/RecordMirror';
import { SCHEMA_VERSION, type SessionRecord } from '../store/records';
import { MARKER, type LiveSession } from '../tmux/TmuxClient';
import { requireWorkspace, statusWords, type LifecycleContext } from './context';

/**
 * Sessions on our server with our owner marker and naming scheme but no
 * record: launches whose record never landed, or whose record another window
 * forgot. Anything without our marker is never touched.
 */
export class OrphanSessions {
  constructor(
    private readonly context: LifecycleContext,
    /** The current listing (kept or new). */
    private readonly listing: () => Promise<LiveSession[]>,
  ) {}

  /** All orphans, whatever their age: the tree shows them so nothing runs unseen. */
  async list(): Promise<LiveSession[]> {
    if (!(await this.context.tmux.available())) return [];
    // Current records first: the listing then reflects what another window's write says it changed in tmux.
    await this.context.store.whenCurrent();
    return this.unrecorded(await this.listing());
  }

  async require(tmuxName: string, gone: string): Promise<LiveSession> {
    const orphan = (await this.list()).find((session) => session.name === tmuxName);
    if (!orphan) throw new WorkspaceError('gone', gone);
    return orphan;
  }

  /** Records an orphan under a ready workspace, taking it over with a new launch id first. With the workspace's lock. */
  async adopt(tmuxName: string, workspaceId: string): Promise<SessionRecord> {
    const { store, tmux } = this.context;
    const workspace = requireWorkspace(store, workspaceId);
    if (workspace.status !== 'ready') throw refused(`Workspace "${workspace.branch}" is ${statusWords(workspace)}; adopt into a ready workspace.`);
    await this.require(tmuxName, `Session ${tmuxName} is no longer an orphan (it ended, or another window recorded it).`);
    const launchId = randomUUID();
    const record: SessionRecord = {
      v: SCHEMA_VERSION,
      key: tmuxName,
      workspaceId,
      kind: 'agent',
      label: tmuxName.slice(`${SESSION_PREFIX}`.length),
      tmuxName,
      launchId,
      command: [],
      createdAt: Date.now(),
    };
    // A new launch id first: from now on a reaper holding the old one leaves it alone. The record rides with it.
    await tmux.setMarkers(tmuxName, { [MARKER.launch]: launchId, [MARKER.key]: tmuxName, [SESSION_RECORD_OPTION]: serialiseSession(record) });
    await store.putSession(record);
    this.context.emit({ type: 'session-started', session: record });
    return record;
  }

  /** Kills one orphan, if it still is one; resolves whether it was one. */
  async kill(tmuxName: string): Promise<boolean> {
    const orphan = (await this.list()).find((session) => session.name === tmuxName);
    if (!orphan) return false;
    await this.killOne(orphan);
    return true;
  }

  /**
   * Kills the orphans older than the grace period. Resolves to the names it
   * killed. `listing`: a list-sessions result the caller just made, instead of a new one.
   */
  async reap(listing?: readonly LiveSession[]): Promise<string[]> {
    const { tmux, options } = this.context;
    if (!(await tmux.available())) return [];
    const graceSeconds = (options.orphanGraceMs ?? 60_000) / 1000;
    const nowSeconds = Date.now() / 1000;
    // The records are read right here, just before deciding: a launch may have recorded meanwhile.
    const orphans = (await this.unrecorded(listing ?? (await tmux.listSessions()))).filter(
      (session) => nowSeconds - session.createdAt >= graceSeconds,
    );
    const killed: string[] = [];
    for (const session of orphans) {
      if ((await this.killOne(session)) === 'killed') killed.push(session.name);
    }
    return killed;
  }

  /** Only while it still carries the launch id it was seen with: another window may have adopted it since. */
  private killOne(session: LiveSession): Promise<'killed' | 'not-ours' | 'gone'> {
    const { tmux } = this.context;
    return session.launchId ? tmux.killSessionIfLaunch(session.name, session.launchId) : tmux.killSession(session.name);
  }

  /** Of `sessions`, those with our owner marker and naming scheme that no record (session or base terminal) accounts for. */
  private async unrecorded(sessions: readonly LiveSession[]): Promise<LiveSession[]> {
    const { store } = this.context;
    const owner = await this.context.ownerId();
    // "No record" is decided from a copy that has every other window's finished writes.
    await store.whenCurrent();
    const recorded = new Set([...store.sessions().map((session) => session.tmuxName), ...store.workspaces().map((workspace) => workspace.baseSession)]);
    return sessions.filter((session) => session.owner === owner && isOurSessionName(session.name) && !recorded.has(session.name));
  }
}
