import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MementoLike } from '../../src/core/store/RecordStore';

type Values = Record<string, unknown>;

/** What the shared file holds: the main process's copy of the extension's one object, and who wrote it last. */
interface Stored {
  readonly writer: string;
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
  private seen: string | undefined;
  private lastDelivery = 0;
  private readonly poller: NodeJS.Timeout;
  private readonly maxDelayMs: number;

  constructor(
    readonly file: string,
    options: SharedMementoOptions = {},
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 300;
    this.seen = stamp(file);
    this.value = readStored(file)?.values ?? {};
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
    while (stamp(this.file) !== this.seen || Date.now() <= this.lastDelivery) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  dispose(): void {
    clearInterval(this.poller);
  }

  private flush(): void {
    const pending = this.scheduled!;
    this.scheduled = undefined;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temporary = `${this.file}.${this.id}.tmp`;
      // JSON.stringify drops the undefined values, as the main process's storage does.
      writeFileSync(temporary, JSON.stringify({ writer: this.id, values: this.value } satisfies Stored));
      renameSync(temporary, this.file);
      this.seen = stamp(this.file);
      pending.resolve();
    } catch (error) {
      pending.reject(error);
    }
  }

  /** Another window wrote: its whole object replaces this copy after a random delay, in order. */
  private notice(): void {
    const now = stamp(this.file);
    if (now === this.seen) return;
    this.seen = now;
    const stored = readStored(this.file);
    if (!stored || stored.writer === this.id) return;
    const at = Math.max(this.lastDelivery, Date.now() + Math.random() * this.maxDelayMs);
    this.lastDelivery = at;
    setTimeout(() => (this.value = stored.values), at - Date.now()).unref();
  }
}

function stamp(file: string): string | undefined {
  try {
    const stat = statSync(file, { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
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
