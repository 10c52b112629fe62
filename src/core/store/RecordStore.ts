import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { refused } from '../errors';
import type { Logger } from '../log';
import {
  MAX_SETUP_EVENTS,
  SCHEMA_VERSION,
  type ResumableRecord,
  type SessionRecord,
  type SetupEvent,
  type WorkspaceRecord,
  type WorkspaceStatus,
} from './records';
import { WriteFence, type Change } from './WriteFence';

/** The part of `vscode.Memento` the store needs; `globalState` satisfies it. */
export interface MementoLike {
  keys(): readonly string[];
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

const PREFIX = 'tmuxWorkspaces';
const WORKSPACE_PREFIX = `${PREFIX}.workspace/`;
const SESSION_PREFIX = `${PREFIX}.session/`;
const RESUMABLE_PREFIX = `${PREFIX}.resumable/`;
const INSTALL_KEY = `${PREFIX}.installId`;

type Migration = (record: Record<string, unknown>) => Record<string, unknown>;

/**
 * Upgrades from version N to N+1, indexed by N. Records written before schema
 * versions existed count as version 0. A record newer than this code (written
 * by a newer extension in another window) is left alone and not listed.
 */
const MIGRATIONS: Record<number, Migration> = {
  0: (record) => ({ ...record, v: 1 }),
};

export function migrate<T>(raw: unknown): T | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  let record = raw as Record<string, unknown>;
  let version = typeof record.v === 'number' ? record.v : 0;
  if (version > SCHEMA_VERSION) return undefined;
  while (version < SCHEMA_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) return undefined;
    record = step(record);
    version += 1;
  }
  return record as T;
}

export interface RecordStoreOptions {
  /**
   * The machine these records belong to. A Remote (SSH, WSL, container)
   * window shares `globalState` with local windows but runs its own tmux and
   * git on another machine, so each host sees and keeps only its own records
   * (those written before hosts were recorded count as everyone's).
   */
  readonly host?: string;
  /**
   * The extension's global storage folder: where the cross-window record lock
   * lives (see `WriteFence`). Without it writes are ordered in this window
   * only, which is right for one window and for single-process tests.
   */
  readonly lockDir?: string;
  readonly log?: Logger;
  /** How long a write waits for another window's write to reach this window's copy of globalState. */
  readonly catchUpMs?: number;
  /** A record lock whose holder stopped renewing it for this long is taken over (its window died); default 10 s. */
  readonly staleMs?: number;
}

const none = <T>(result: T): Change<T> => ({ updates: [], result });

/**
 * Ownership records in `globalState`, one key per record inside its one
 * object. Reads are synchronous, from this window's copy (which has this
 * window's own writes at once, and other windows' a moment after them). Every
 * write goes through a `WriteFence`: alone across windows, computed from a
 * copy that has every earlier write, so no window writes back a stale copy.
 * Compare-and-swap checks (`transition`, generations) run inside the fence.
 */
export class RecordStore {
  private readonly host: string;
  private readonly fence: WriteFence;

  constructor(
    private readonly memento: MementoLike,
    options: RecordStoreOptions = {},
  ) {
    this.host = options.host ?? hostname();
    this.fence = new WriteFence(memento, { lockDir: options.lockDir, log: options.log, catchUpMs: options.catchUpMs, staleMs: options.staleMs });
  }

  /** Resolves once this window's copy has every record write any window has finished. */
  whenCurrent(): Promise<void> {
    return this.fence.whenCurrent();
  }

  /**
   * How many record writes (any window's) this window's copy has taken in.
   * A change says another window may have changed tmux too: a delete kills
   * sessions, then forgets their records.
   */
  seq(): number {
    return this.fence.seq();
  }

  /** A random id for this installation; the owner marker on every tmux session we create. */
  async installId(): Promise<string> {
    const existing = this.memento.get<string>(INSTALL_KEY);
    if (existing) return existing;
    // Two windows starting at once: the second one in finds the first one's id.
    return this.fence.run(() => {
      const current = this.memento.get<string>(INSTALL_KEY);
      if (current) return none(current);
      const id = randomUUID();
      return { updates: [[INSTALL_KEY, id]], result: id };
    });
  }

  workspaces(): WorkspaceRecord[] {
    return this.read<WorkspaceRecord>(WORKSPACE_PREFIX).sort((a, b) => a.createdAt - b.createdAt);
  }

  workspace(id: string): WorkspaceRecord | undefined {
    return this.ours(migrate<WorkspaceRecord>(this.memento.get(WORKSPACE_PREFIX + id)));
  }

  async putWorkspace(record: WorkspaceRecord): Promise<void> {
    await this.fence.run(() => this.putting(WORKSPACE_PREFIX + record.id, record, undefined));
  }

  /** Writes a record found beside its resource (`RecordMirror`), only while none is recorded; resolves whether it wrote. */
  restoreWorkspace(record: WorkspaceRecord): Promise<boolean> {
    return this.fence.run((): Change<boolean> => (this.workspace(record.id) ? none(false) : this.putting(WORKSPACE_PREFIX + record.id, record, true)));
  }

  /** Forgets a workspace record only while it is the version the caller saw (same `updatedAt`); resolves whether it did. */
  retireWorkspace(id: string, updatedAt: number): Promise<boolean> {
    return this.fence.run((): Change<boolean> => {
      const current = this.workspace(id);
      if (!current || current.updatedAt !== updatedAt) return none(false);
      return { updates: [[WORKSPACE_PREFIX + id, undefined]], result: true };
    });
  }

  async forgetWorkspace(id: string): Promise<void> {
    await this.fence.run(() => ({ updates: [[WORKSPACE_PREFIX + id, undefined]], result: undefined }));
  }

  /**
   * Compare-and-swap on the status: writes `changes` only when the record is
   * in one of `from`; otherwise refuses and writes nothing.
   */
  transition(id: string, from: readonly WorkspaceStatus[], changes: Partial<Omit<WorkspaceRecord, 'id' | 'v'>>): Promise<WorkspaceRecord> {
    return this.fence.run(() => {
      const current = this.workspace(id);
      if (!current) throw refused(`Workspace ${id} no longer exists.`);
      if (!from.includes(current.status)) {
        throw refused(`Workspace "${current.branch}" is ${current.status.replace('_', ' ')}; expected ${from.join(' or ')}.`, {
          status: current.status,
        });
      }
      return this.changingWorkspace(current, changes);
    });
  }

  update(id: string, changes: Partial<Omit<WorkspaceRecord, 'id' | 'v'>>): Promise<WorkspaceRecord | undefined> {
    return this.fence.run(() => {
      const current = this.workspace(id);
      return current ? this.changingWorkspace(current, changes) : none(undefined);
    });
  }

  addSetupEvent(id: string, event: SetupEvent): Promise<WorkspaceRecord | undefined> {
    return this.fence.run(() => {
      const current = this.workspace(id);
      if (!current) return none(undefined);
      return this.changingWorkspace(current, { setupEvents: [...current.setupEvents, event].slice(-MAX_SETUP_EVENTS) });
    });
  }

  sessions(): SessionRecord[] {
    return this.read<SessionRecord>(SESSION_PREFIX).sort((a, b) => a.createdAt - b.createdAt);
  }

  sessionsOf(workspaceId: string): SessionRecord[] {
    return this.sessions().filter((session) => session.workspaceId === workspaceId);
  }

  session(key: string): SessionRecord | undefined {
    return this.ours(migrate<SessionRecord>(this.memento.get(SESSION_PREFIX + key)));
  }

  async putSession(record: SessionRecord): Promise<void> {
    await this.fence.run(() => this.putting(SESSION_PREFIX + record.key, record, undefined));
  }

  /** Writes a record found on its tmux session (`RecordMirror`), only while none is recorded; resolves whether it wrote. */
  restoreSession(record: SessionRecord): Promise<boolean> {
    return this.fence.run((): Change<boolean> => (this.session(record.key) ? none(false) : this.putting(SESSION_PREFIX + record.key, record, true)));
  }

  /**
   * Forgets a session record, but only the generation the caller saw: a record
   * rewritten since (same key, newer `createdAt`) is kept. Resolves to whether
   * it forgot anything.
   */
  forgetSession(key: string, createdAt?: number): Promise<boolean> {
    return this.fence.run((): Change<boolean> => {
      const current = this.session(key);
      if (!current || (createdAt !== undefined && current.createdAt !== createdAt)) return none(false);
      return { updates: [[SESSION_PREFIX + key, undefined]], result: true };
    });
  }

  /**
   * Changes a session record, but only the generation the caller saw (same
   * `createdAt`). Resolves to the new record, or undefined when it is gone or newer.
   */
  updateSession(
    key: string,
    createdAt: number,
    changes: Partial<Omit<SessionRecord, 'key' | 'v' | 'createdAt'>>,
  ): Promise<SessionRecord | undefined> {
    return this.fence.run((): Change<SessionRecord | undefined> => {
      const current = this.session(key);
      if (!current || current.createdAt !== createdAt) return none(undefined);
      const next: SessionRecord = { ...current, ...changes };
      return this.putting(SESSION_PREFIX + key, next, next);
    });
  }

  resumables(): ResumableRecord[] {
    return this.read<ResumableRecord>(RESUMABLE_PREFIX).sort((a, b) => a.startedAt - b.startedAt);
  }

  resumable(key: string): ResumableRecord | undefined {
    return this.ours(migrate<ResumableRecord>(this.memento.get(RESUMABLE_PREFIX + key)));
  }

  async putResumable(record: ResumableRecord): Promise<void> {
    await this.fence.run(() => this.putting(RESUMABLE_PREFIX + record.key, record, undefined));
  }

  forgetResumable(key: string): Promise<boolean> {
    return this.fence.run((): Change<boolean> => {
      if (!this.resumable(key)) return none(false);
      return { updates: [[RESUMABLE_PREFIX + key, undefined]], result: true };
    });
  }

  private changingWorkspace(current: WorkspaceRecord, changes: Partial<Omit<WorkspaceRecord, 'id' | 'v'>>): Change<WorkspaceRecord> {
    const next: WorkspaceRecord = { ...current, ...changes, updatedAt: Date.now() };
    return this.putting(WORKSPACE_PREFIX + next.id, next, next);
  }

  /** A record written as this host's, at the current schema version. */
  private putting<T>(key: string, record: object, result: T): Change<T> {
    return { updates: [[key, { ...record, host: this.host, v: SCHEMA_VERSION }]], result };
  }

  private read<T>(prefix: string): T[] {
    return this.memento
      .keys()
      .filter((key) => key.startsWith(prefix))
      .map((key) => this.ours(migrate<T>(this.memento.get(key))))
      .filter((record): record is NonNullable<typeof record> => record !== undefined) as T[];
  }

  private ours<T>(record: T | undefined): T | undefined {
    const host = (record as { host?: unknown } | undefined)?.host;
    return host === undefined || host === this.host ? record : undefined;
  }
}
