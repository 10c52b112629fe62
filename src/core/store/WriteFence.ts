import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as lockfile from 'proper-lockfile';
import { failed } from '../errors';
import { silentLog, type Logger } from '../log';
import type { MementoLike } from './RecordStore';

/** The write counter, kept inside the same globalState object as the records it counts. */
export const SEQ_KEY = 'tmuxWorkspaces.seq';

/** The changes one write makes (key → value, `undefined` forgets) and what the caller gets back. */
export interface Change<T> {
  readonly updates: ReadonlyArray<readonly [string, unknown]>;
  readonly result: T;
}

export interface WriteFenceOptions {
  /** Where the lock file and the published sequence number live (the extension's global storage). */
  readonly lockDir?: string;
  readonly log?: Logger;
  /** How long a write waits for another window's newer write to reach this window's copy. */
  readonly catchUpMs?: number;
  /** A lock whose holder stopped renewing it for this long is taken over (the holder died). */
  readonly staleMs?: number;
}

/**
 * Every record write, in every window, goes through here, because globalState
 * is ONE object per extension: each window writes its whole copy, and another
 * window's copy is replaced by it wholesale a moment later. A write based on a
 * copy that lacks another window's newer write would bring that window's
 * deleted records back and lose its new ones. So a write:
 *
 * 1. runs alone: in this window (a queue) and across windows (a lock file
 *    under `lockDir`, proper-lockfile, renewed while held, taken over when
 *    its holder died);
 * 2. waits, bounded by `catchUpMs`, until this window's copy has the sequence
 *    number the last holder published in `records.seq` beside the lock; the
 *    number also rides inside the globalState object, so "my copy has it"
 *    is a plain read. If the copy does not catch up, the write fails, saying
 *    so, and writes nothing;
 * 3. computes its change from that copy (so compare-and-swap checks see every
 *    window's writes), writes the records and `seq + 1` in the same tick
 *    (VS Code coalesces them into one write of the whole object), and, once
 *    the write resolved, publishes the new number.
 *
 * The holder publishes `<seq> writing` before it writes and `<seq> written`
 * after, so a holder that died in between is not waited for forever: the next
 * writer waits for that number, and proceeds without it once it is clearly
 * not coming. Rejected: a file of our own as the store (records would leave
 * globalState, and with it Settings Sync and the editor's own storage
 * lifecycle), and merging copies by timestamps (a deleted record has no
 * timestamp left to win with). Without `lockDir` (one window, tests), only
 * the in-window queue applies.
 */
/** One queue per window's globalState copy, however many stores read it. */
/** How long a dead window's unfinished write is waited for: longer than globalState's delivery between windows. */
const DEAD_WRITE_WAIT_MS = 1000;

const queues = new WeakMap<MementoLike, Promise<unknown>>();

export class WriteFence {
  private prepared: Promise<string> | undefined;
  private readonly log: Logger;

  constructor(
    private readonly memento: MementoLike,
    private readonly options: WriteFenceOptions = {},
  ) {
    this.log = options.log ?? silentLog;
  }

  /** The sequence number this window's copy has reached. */
  seq(): number {
    const value = this.memento.get<number>(SEQ_KEY);
    return typeof value === 'number' ? value : 0;
  }

  /** Runs `change` on a current copy, alone across windows, and writes what it returns. */
  run<T>(change: () => Change<T>): Promise<T> {
    const next = (queues.get(this.memento) ?? Promise.resolve()).then(() => this.underLock(change));
    // The caller gets `next` and its failure; the queue only needs to know it settled.
    queues.set(this.memento, next.catch(() => undefined));
    return next;
  }

  /** Resolves once this window's copy has every write published so far (bounded like a write's wait). */
  async whenCurrent(): Promise<void> {
    if (!this.options.lockDir) return;
    const target = await this.prepare();
    let last = await this.published(target);
    let writerGone = false;
    if (!last.written && !(await lockfile.check(target, { stale: this.staleMs(), realpath: false }))) {
      // Its writer may have finished and let go since the first read: it publishes `written` before it releases.
      last = await this.published(target);
      // Still unfinished with nobody holding the lock: cut short by its window's death.
      writerGone = !last.written;
    }
    await this.catchUp(last, writerGone);
  }

  private staleMs(): number {
    return this.options.staleMs ?? 10_000;
  }

  private async underLock<T>(change: () => Change<T>): Promise<T> {
    if (!this.options.lockDir) return this.write(change);
    const target = await this.prepare();
    const staleMs = this.staleMs();
    const release = await lockfile
      .lock(target, {
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 3)),
        realpath: false,
        // About 15 s of retries: longer than any record write, shorter than a stale lock's takeover plus one.
        retries: { retries: 600, minTimeout: 1, maxTimeout: 25, factor: 1.3 },
        onCompromised: (error) => this.log.error(`the record lock was taken over while held: ${error.message}`),
      })
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ELOCKED') throw error;
        const message = 'Another window has been writing records for too long, so nothing was written. Try again.';
        this.log.error(`${message} (${target}.lock)`);
        throw failed(message);
      });
    try {
      // Holding the lock, an announced write that never finished is a dead window's.
      await this.catchUp(await this.published(target), true);
      return await this.write(change, (seq, state) => this.publish(target, seq, state));
    } finally {
      await release().catch((error: unknown) => this.log.warn(`releasing the record lock failed: ${String(error)}`));
    }
  }

  private async write<T>(change: () => Change<T>, publish?: (seq: number, state: 'writing' | 'written') => Promise<void>): Promise<T> {
    const { updates, result } = change();
    if (updates.length === 0) return result;
    // One window alone (no lock folder): nobody waits for a number, so none is written.
    if (!publish) {
      await Promise.all(updates.map(([key, value]) => this.memento.update(key, value)));
      return result;
    }
    const seq = this.seq() + 1;
    await publish(seq, 'writing');
    // No await between these: one tick, so one whole-object write carries the records and their number.
    await Promise.all([...updates.map(([key, value]) => this.memento.update(key, value)), this.memento.update(SEQ_KEY, seq)]);
    await publish(seq, 'written');
    return result;
  }

  /**
   * Waits for this window's copy to reach `last.seq`. A write announced by a
   * window that is gone (`writerGone`) either arrives within the delivery
   * delay or never, so it is waited for briefly, not for the full limit.
   */
  private async catchUp(last: { seq: number; written: boolean }, writerGone = false): Promise<void> {
    const full = this.options.catchUpMs ?? 5000;
    const limit = writerGone && !last.written ? Math.min(full, DEAD_WRITE_WAIT_MS) : full;
    const deadline = Date.now() + limit;
    while (this.seq() < last.seq) {
      if (Date.now() >= deadline) {
        if (!last.written) {
          // Its holder died between announcing and finishing the write: it never reached globalState.
          this.log.warn(`record write ${last.seq} was announced but never finished; continuing from ${this.seq()}`);
          return;
        }
        const message = `Records written by another window (write ${last.seq}) have not reached this window within ${limit} ms (it has ${this.seq()}), so nothing was written. Try again; if it persists, reload the window.`;
        this.log.error(message);
        throw failed(message);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  private async published(target: string): Promise<{ seq: number; written: boolean }> {
    let text: string;
    try {
      text = await readFile(this.seqFile(target), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { seq: 0, written: true };
      throw error;
    }
    const [seq, state] = text.trim().split(' ');
    return { seq: Number(seq) || 0, written: state !== 'writing' };
  }

  /** A temporary file, then a rename: `whenCurrent` reads the number without the lock, and must never see half of it. */
  private async publish(target: string, seq: number, state: 'writing' | 'written'): Promise<void> {
    const temporary = `${this.seqFile(target)}.${process.pid}.tmp`;
    await writeFile(temporary, `${seq} ${state}\n`);
    await rename(temporary, this.seqFile(target));
  }

  private seqFile(target: string): string {
    return `${target}.seq`;
  }

  private prepare(): Promise<string> {
    const dir = this.options.lockDir!;
    this.prepared ??= mkdir(dir, { recursive: true }).then(async () => {
      const target = join(dir, 'records');
      await writeFile(target, '', { flag: 'a' });
      return target;
    });
    return this.prepared;
  }
}
