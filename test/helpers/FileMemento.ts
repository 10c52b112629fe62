import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as lockfile from 'proper-lockfile';
import type { MementoLike } from '../../src/core/store/RecordStore';

type Values = Record<string, unknown>;

/**
 * A Memento over one JSON file that several processes share, standing in for
 * VS Code's `globalState` (one store, every window). Reads are synchronous
 * like the real one; `update` is a read-modify-write under a cross-process
 * lock, written atomically (temporary file, then rename), so a process killed
 * mid-write leaves the previous content whole.
 */
export class FileMemento implements MementoLike {
  private cache: { readonly stamp: string; readonly values: Values } | undefined;

  constructor(readonly file: string) {}

  keys(): readonly string[] {
    return Object.keys(this.read());
  }

  get<T>(key: string): T | undefined {
    const value = this.read()[key];
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  async update(key: string, value: unknown): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true });
    const release = await lockfile.lock(this.file, {
      realpath: false,
      // The minimum proper-lockfile allows: a holder killed mid-update blocks the others this long.
      stale: 2000,
      retries: { retries: 400, minTimeout: 5, maxTimeout: 25, factor: 1.2 },
    });
    try {
      const values = { ...this.read(true) };
      // JSON, as globalState stores it: undefined fields disappear.
      if (value === undefined) delete values[key];
      else values[key] = JSON.parse(JSON.stringify(value));
      const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(temporary, JSON.stringify(values));
      renameSync(temporary, this.file);
    } finally {
      await release();
    }
  }

  /** The file's content; parsed again only when the file changed (a rename gives it a new inode). */
  private read(fresh = false): Values {
    let stamp: string;
    try {
      const stat = statSync(this.file, { bigint: true });
      stamp = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.cache = undefined;
      return {};
    }
    if (!fresh && this.cache?.stamp === stamp) return this.cache.values;
    const values = JSON.parse(readFileSync(this.file, 'utf8')) as Values;
    this.cache = { stamp, values };
    return values;
  }
}
