import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { refused } from '../errors';
import {
  MAX_SETUP_EVENTS,
  SCHEMA_VERSION,
  type ResumableRecord,
  type SessionRecord,
  type SetupEvent,
  type WorkspaceRecord,
  type WorkspaceStatus,
} from './records';

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

/**
 * Ownership records over a Memento, one key per record, so two windows that
 * write different records never overwrite each other. Read-modify-write of
 * one record is done by the lifecycle while it holds that workspace's lock.
 */
export class RecordStore {
  /**
   * `host`: the machine these records belong to. A Remote (SSH, WSL,
   * container) window shares `globalState` with local windows but runs its own
   * tmux and git on another machine, so each host sees and keeps only its own
   * records (those written before hosts were recorded count as everyone's).
   */
  constructor(
    private readonly memento: MementoLike,
    private readonly host: string = hostname(),
  ) {}

  /** A random id for this installation; the owner marker on every tmux session we create. */
  async installId(): Promise<string> {
    const existing = this.memento.get<string>(INSTALL_KEY);
    if (existing) return existing;
    const id = randomUUID();
    await this.memento.update(INSTALL_KEY, id);
    return id;
  }

  workspaces(): WorkspaceRecord[] {
    return this.read<WorkspaceRecord>(WORKSPACE_PREFIX).sort((a, b) => a.createdAt - b.createdAt);
  }

  workspace(id: string): WorkspaceRecord | undefined {
    return this.ours(migrate<WorkspaceRecord>(this.memento.get(WORKSPACE_PREFIX + id)));
  }

  async putWorkspace(record: WorkspaceRecord): Promise<void> {
    await this.memento.update(WORKSPACE_PREFIX + record.id, { ...record, host: this.host, v: SCHEMA_VERSION });
  }

  async forgetWorkspace(id: string): Promise<void> {
    await this.memento.update(WORKSPACE_PREFIX + id, undefined);
  }

  /**
   * Compare-and-swap on the status: writes `changes` only when the record is
   * in one of `from`; otherwise refuses and writes nothing.
   */
  async transition(
    id: string,
    from: readonly WorkspaceStatus[],
    changes: Partial<Omit<WorkspaceRecord, 'id' | 'v'>>,
  ): Promise<WorkspaceRecord> {
    const current = this.workspace(id);
    if (!current) throw refused(`Workspace ${id} no longer exists.`);
    if (!from.includes(current.status)) {
      throw refused(`Workspace "${current.branch}" is ${current.status.replace('_', ' ')}; expected ${from.join(' or ')}.`, {
        status: current.status,
      });
    }
    const next: WorkspaceRecord = { ...current, ...changes, updatedAt: Date.now() };
    await this.putWorkspace(next);
    return next;
  }

  async update(id: string, changes: Partial<Omit<WorkspaceRecord, 'id' | 'v'>>): Promise<WorkspaceRecord | undefined> {
    const current = this.workspace(id);
    if (!current) return undefined;
    const next: WorkspaceRecord = { ...current, ...changes, updatedAt: Date.now() };
    await this.putWorkspace(next);
    return next;
  }

  async addSetupEvent(id: string, event: SetupEvent): Promise<WorkspaceRecord | undefined> {
    const current = this.workspace(id);
    if (!current) return undefined;
    return this.update(id, { setupEvents: [...current.setupEvents, event].slice(-MAX_SETUP_EVENTS) });
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
    await this.memento.update(SESSION_PREFIX + record.key, { ...record, host: this.host, v: SCHEMA_VERSION });
  }

  /**
   * Forgets a session record, but only the generation the caller saw: a record
   * rewritten since (same key, newer `createdAt`) is kept. Resolves to whether
   * it forgot anything.
   */
  async forgetSession(key: string, createdAt?: number): Promise<boolean> {
    const current = this.session(key);
    if (!current) return false;
    if (createdAt !== undefined && current.createdAt !== createdAt) return false;
    await this.memento.update(SESSION_PREFIX + key, undefined);
    return true;
  }

  /**
   * Changes a session record, but only the generation the caller saw (same
   * `createdAt`). Resolves to the new record, or undefined when it is gone or newer.
   */
  async updateSession(
    key: string,
    createdAt: number,
    changes: Partial<Omit<SessionRecord, 'key' | 'v' | 'createdAt'>>,
  ): Promise<SessionRecord | undefined> {
    const current = this.session(key);
    if (!current || current.createdAt !== createdAt) return undefined;
    const next: SessionRecord = { ...current, ...changes };
    await this.putSession(next);
    return next;
  }

  resumables(): ResumableRecord[] {
    return this.read<ResumableRecord>(RESUMABLE_PREFIX).sort((a, b) => a.startedAt - b.startedAt);
  }

  resumable(key: string): ResumableRecord | undefined {
    return this.ours(migrate<ResumableRecord>(this.memento.get(RESUMABLE_PREFIX + key)));
  }

  async putResumable(record: ResumableRecord): Promise<void> {
    await this.memento.update(RESUMABLE_PREFIX + record.key, { ...record, host: this.host, v: SCHEMA_VERSION });
  }

  async forgetResumable(key: string): Promise<boolean> {
    if (!this.resumable(key)) return false;
    await this.memento.update(RESUMABLE_PREFIX + key, undefined);
    return true;
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
