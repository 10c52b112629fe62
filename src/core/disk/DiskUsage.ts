import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors';
import { silentLog, type Logger } from '../log';

/** What a folder takes on disk, and when that was measured. */
export interface DiskSize {
  /** Allocated bytes (blocks × 512, as `du` counts), each hard-linked file once. */
  readonly bytes: number;
  readonly files: number;
  /** Milliseconds since the epoch. */
  readonly measuredAt: number;
}

/** How many entries of one folder are `lstat`ed at once. */
const STAT_BATCH = 64;
/** A size this old is measured again when next asked for. */
export const DISK_SIZE_MAX_AGE_MS = 10 * 60_000;

/**
 * Walks `root` in Node (no `du`, no shell): every file, folder and symbolic
 * link under it, links not followed. A top-level `.git` folder is a
 * repository's own object store and is skipped; a worktree's `.git` is a file
 * pointing there, and counts. Entries that vanish or cannot be read while it
 * walks are skipped (the log says why at debug).
 */
export async function measureFolder(root: string, log: Logger = silentLog): Promise<Omit<DiskSize, 'measuredAt'>> {
  const seen = new Set<string>();
  let bytes = 0;
  let files = 0;
  const folders = [root];
  while (folders.length > 0) {
    const folder = folders.pop()!;
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      log.debug(`disk usage: skipping ${folder}: ${errorMessage(error)}`);
      continue;
    }
    for (let i = 0; i < names.length; i += STAT_BATCH) {
      const paths = names.slice(i, i + STAT_BATCH).map((name) => join(folder, name));
      const infos = await Promise.all(paths.map((path) => lstat(path).catch((error: unknown) => log.debug(`disk usage: skipping ${path}: ${errorMessage(error)}`))));
      infos.forEach((info, j) => {
        if (!info) return;
        // A repository's own `.git` folder (its objects, shared by its worktrees) is not the worktree's.
        if (folder === root && info.isDirectory() && names[i + j] === '.git') return;
        if (info.isDirectory()) folders.push(paths[j]);
        else files += 1;
        const id = `${info.dev}:${info.ino}`;
        if (info.nlink > 1 && !info.isDirectory()) {
          if (seen.has(id)) return;
          seen.add(id);
        }
        bytes += typeof info.blocks === 'number' ? info.blocks * 512 : info.size;
      });
    }
  }
  return { bytes, files };
}

export type Measure = (root: string) => Promise<Omit<DiskSize, 'measuredAt'>>;

/**
 * Folder sizes, measured only when asked and kept for `maxAgeMs`. `cached`
 * never does any work (the tree draws from it); `size` measures a missing or
 * old one, one walk per folder at a time however many ask.
 */
export class DiskUsage {
  private readonly known = new Map<string, DiskSize>();
  private readonly walking = new Map<string, Promise<DiskSize>>();
  private readonly measure: Measure;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: { measure?: Measure; maxAgeMs?: number; now?: () => number; log?: Logger } = {}) {
    const log = options.log ?? silentLog;
    this.measure = options.measure ?? ((root) => measureFolder(root, log));
    this.maxAgeMs = options.maxAgeMs ?? DISK_SIZE_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The last size measured, fresh or not; undefined before the first. */
  cached(root: string): DiskSize | undefined {
    return this.known.get(root);
  }

  /** Whether `size` would measure (nothing known, or known for longer than the expiry). */
  isStale(root: string): boolean {
    const known = this.known.get(root);
    return !known || this.now() - known.measuredAt > this.maxAgeMs;
  }

  /** The size, measured now unless a fresh one is known; `fresh`: measure anyway. */
  size(root: string, options: { fresh?: boolean } = {}): Promise<DiskSize> {
    if (!options.fresh && !this.isStale(root)) return Promise.resolve(this.known.get(root)!);
    let walk = this.walking.get(root);
    if (!walk) {
      walk = this.measure(root)
        .then((measured) => {
          const size = { ...measured, measuredAt: this.now() };
          this.known.set(root, size);
          return size;
        })
        .finally(() => this.walking.delete(root));
      this.walking.set(root, walk);
    }
    return walk;
  }
}

/** `1.2 GB`, `340 MB`, `12 KB`, `0 B` (powers of 1024, as file managers mostly say them). */
export function sizeWords(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 || value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
