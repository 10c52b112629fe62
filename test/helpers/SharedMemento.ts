import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MementoLike } from '../../src/core/store/RecordStore';

type Values = Record<string, unknown>;

/** What the shared file holds: the main process's copy of the extension's one object, and who wrote it last. */
interface Stored {
  /** Names one write: the writing window and its count. */
  readonly write: string;
  readonly values: Values;
}

export interface SharedMementoOptions {
  /** The longest a write takes to reach another window's copy (each delivery waits 0 to this, at random). */
  readonly maxDelayMs?: number;
}

/**
 * `globalState` as VS Code really keeps it (extHostMemento.ts + the main
 * process), for one window per process:
 *
 * - the window has a private in-memory copy of ONE object (every key),
 *   loaded when it starts;
 * - `update(key)` changes that copy at once (so the window reads its own
 *   write), JSON-cloned, `undefined` left in place and hidden from `keys()`;
 *   updates of the same tick are coalesced into one write of the WHOLE object
 *   to the shared file (the main process's storage: last write wins), and
 *   `update` resolves after that write;
 * - another window's copy is REPLACED WHOLESALE by what that write stored, a
 *   random 0–`maxDelayMs` later, in the order the writes were seen (IPC is
 *   ordered). A window that writes before a newer write has reached it writes
 *   its stale copy back, and the newer write is lost everywhere.
 *
 * `SharedMemento.main(file)` reads the main process's copy, for a test's assertions.
 */
export class SharedMemento implements MementoLike {
  private readonly id = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private value: Values;
  private scheduled: { promise: Promise<void>; resolve(): void; reject(error: unknown): void } | undefined;
  private writes = 0;
  /** The last write this window has taken in (its own or another's), so each reaches it once. */
  private seen: string | undefined;
  /** Writes on their way to this copy, in the order they were written, each with the time it arrives. */
  private readonly inbox: { readonly at: number; readonly values: Values }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly poller: NodeJS.Timeout;
  private readonly maxDelayMs: number;

  constructor(
    readonly file: string,
    options: SharedMementoOptions = {},
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 300;
    const stored = readStored(file);
    this.seen = stored?.write;
    this.value = stored?.values ?? {};
    // The main process pushes changes to every other window; polling the file stands in for that push.
    this.poller = setInterval(() => this.notice(), 10);
    this.poller.unref();
  }

  /** A read-only view of the main process's copy: what every window will have once writes have reached it. */
  static main(file: string): MementoLike {
    const values = () => readStored(file)?.values ?? {};
    return {
      keys: () => Object.keys(values()),
      get: <T>(key: string) => values()[key] as T | undefined,
      update: () => Promise.reject(new Error('the main process copy is read-only in tests')),
    };
  }

  keys(): readonly string[] {
    return Object.entries(this.value)
      .filter(([, value]) => value !== undefined)
      .map(([key]) => key);
  }

  get<T>(key: string): T | undefined {
    const value = this.value[key];
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  update(key: string, value: unknown): Promise<void> {
    this.value[key] = value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
    if (!this.scheduled) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
      this.scheduled = { promise, resolve, reject };
      setTimeout(() => this.flush(), 0);
    }
    return this.scheduled.promise;
  }

  /** Resolves once every write this window has seen has reached its copy (for a test's setup, not for the store). */
  async settled(): Promise<void> {
    while (readStored(this.file)?.write !== this.seen || this.inbox.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  dispose(): void {
    clearInterval(this.poller);
    if (this.timer) clearTimeout(this.timer);
  }

  private flush(): void {
    const pending = this.scheduled!;
    this.scheduled = undefined;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temporary = `${this.file}.${this.id}.tmp`;
      const write = `${this.id}#${++this.writes}`;
      // JSON.stringify drops the undefined values, as the main process's storage does.
      writeFileSync(temporary, JSON.stringify({ write, values: this.value } satisfies Stored));
      renameSync(temporary, this.file);
      this.seen = write;
      pending.resolve();
    } catch (error) {
      pending.reject(error);
    }
  }

  /** Another window wrote: its whole object replaces this copy after a random delay, in order. */
  private notice(): void {
    const stored = readStored(this.file);
    if (!stored || stored.write === this.seen) return;
    this.seen = stored.write;
    if (stored.write.startsWith(`${this.id}#`)) return;
    const last = this.inbox.at(-1)?.at ?? 0;
    this.inbox.push({ at: Math.max(last, Date.now() + Math.random() * this.maxDelayMs), values: stored.values });
    this.deliver();
  }

  /** Hands over, strictly in order, every write whose time has come; timers alone could reorder them. */
  private deliver(): void {
    while (this.inbox.length > 0 && this.inbox[0].at <= Date.now()) this.value = this.inbox.shift()!.values;
    if (this.timer || this.inbox.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.deliver();
    }, Math.max(1, this.inbox[0].at - Date.now()));
    this.timer.unref();
  }
}

function readStored(file: string): Stored | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
