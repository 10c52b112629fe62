import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as lockfile from 'proper-lockfile';
import { WorkspaceError } from '../errors';
import { logFailure, silentLog, type Logger } from '../log';
import { KeyedMutex } from './KeyedMutex';

/** Serialises the transitions of one key (a workspace, a repository, the reaper). */
export interface TransitionLock {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Runs `task` only if the lock is free right now; resolves undefined otherwise. */
  tryRun<T>(key: string, task: () => Promise<T>): Promise<T | undefined>;
  /** Whether this process holds or waits for the key. */
  isBusy(key: string): boolean;
  /**
   * Whether a free lock means no process at all is in the transition (so a
   * `creating` or `deleting` record with a free lock was interrupted).
   */
  readonly crossProcess: boolean;
}

/** Serialisation inside one process only. */
export class ProcessLock implements TransitionLock {
  readonly crossProcess = false;
  private readonly mutex = new KeyedMutex();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.mutex.run(key, task);
  }

  async tryRun<T>(key: string, task: () => Promise<T>): Promise<T | undefined> {
    return this.mutex.isLocked(key) ? undefined : this.mutex.run(key, task);
  }

  isBusy(key: string): boolean {
    return this.mutex.isLocked(key);
  }
}

export interface FileLockOptions {
  /** A lock whose holder stopped renewing it for this long is taken over (its holder died). */
  readonly staleMs?: number;
  /** How long to wait for another window's transition before refusing. */
  readonly waitMs?: number;
  readonly onCompromised?: (error: Error) => void;
  /** Where a failed release goes (the lock then frees once stale); default: nowhere. */
  readonly log?: Logger;
}

/**
 * Serialisation across extension hosts (windows) as well: the in-process
 * mutex first, then a lock file under the extension's global storage, taken
 * with proper-lockfile. The holder renews the lease while it works; a holder
 * that died stops renewing and its lock is recovered after `staleMs`.
 * Transitions never prompt the user, so a lock is never held across a prompt.
 */
export class FileLock implements TransitionLock {
  readonly crossProcess = true;
  private readonly process = new ProcessLock();
  private prepared: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly options: FileLockOptions = {},
  ) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.process.run(key, () => this.withFile(key, this.options.waitMs ?? 15_000, task));
  }

  async tryRun<T>(key: string, task: () => Promise<T>): Promise<T | undefined> {
    if (this.process.isBusy(key)) return undefined;
    try {
      return await this.process.run(key, () => this.withFile(key, 0, task));
    } catch (error) {
      if (error instanceof WorkspaceError && error.details?.busy) return undefined;
      throw error;
    }
  }

  isBusy(key: string): boolean {
    return this.process.isBusy(key);
  }

  private async withFile<T>(key: string, waitMs: number, task: () => Promise<T>): Promise<T> {
    const file = await this.fileFor(key);
    const staleMs = this.options.staleMs ?? 10_000;
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(file, {
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 3)),
        realpath: false,
        retries: waitMs > 0 ? { retries: Math.ceil(waitMs / 100), minTimeout: 50, maxTimeout: 100, factor: 1.2 } : 0,
        onCompromised: this.options.onCompromised ?? (() => undefined),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new WorkspaceError('refused', 'Another window is changing this workspace right now; try again in a moment.', { busy: true });
      }
      throw error;
    }
    try {
      return await task();
    } finally {
      await release().catch(logFailure(this.options.log ?? silentLog, `releasing the lock of ${key}`));
    }
  }

  private async fileFor(key: string): Promise<string> {
    this.prepared ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    await this.prepared;
    const file = join(this.dir, `${createHash('sha1').update(key).digest('hex').slice(0, 16)}.lock-target`);
    await writeFile(file, '', { flag: 'a' });
    return file;
  }
}
