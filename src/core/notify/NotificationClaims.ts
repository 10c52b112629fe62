import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TransitionLock } from '../lifecycle/TransitionLock';
import { logFailure, silentLog, type Logger } from '../log';
import { privateFolder } from '../privateFolder';

/** One notification a window took on: an agent's state and when that state began. */
interface Claim {
  readonly state: string;
  readonly since: number;
}

export interface NotificationClaimsOptions {
  /**
   * Two windows that date the same change differently (a state read from
   * tmux activity, sampled in each window) still agree it is one change when
   * their dates are this close. Hook reports carry one date for every window.
   */
  readonly toleranceMs?: number;
  readonly log?: Logger;
}

/** Claims kept per session: enough to recognise a change the other windows see a little later. */
const KEPT = 8;

/**
 * Which window tells the user about an agent's state change: the first to
 * claim it. Every window sees the same hook reports and lifecycle events, so
 * without this three open windows notify three times. A claim is written into
 * one small file per session under the shared state folder, read and written
 * under that session's cross-window lock (the `FileLock` the transitions use),
 * so exactly one window's claim of a change succeeds.
 */
export class NotificationClaims {
  private prepared: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(
    private readonly dir: string,
    private readonly lock: TransitionLock,
    private readonly options: NotificationClaimsOptions = {},
  ) {
    this.log = options.log ?? silentLog;
  }

  /** Resolves true in the one window that is to notify about `sessionKey` entering `state` at `since`. */
  claim(sessionKey: string, state: string, since: number): Promise<boolean> {
    return this.lock.run(`notify:${sessionKey}`, async () => {
      const file = join(this.dir, `${sessionKey}.json`);
      const claims = await this.read(file);
      const tolerance = this.options.toleranceMs ?? 5_000;
      if (claims.some((claim) => claim.state === state && Math.abs(claim.since - since) <= tolerance)) return false;
      await this.write(file, [...claims, { state, since }].slice(-KEPT));
      return true;
    });
  }

  /** Removes the claims of sessions that changed nothing for `maxAgeMs` (ended long ago): one small file each would pile up. */
  async prune(maxAgeMs: number, now = Date.now()): Promise<void> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') logFailure(this.log, `reading ${this.dir}`)(error);
      return [] as string[];
    });
    for (const name of names) {
      const file = join(this.dir, name);
      const info = await stat(file).catch(logFailure(this.log, `reading the age of ${file}`, 'debug'));
      if (info && now - info.mtimeMs > maxAgeMs) await rm(file, { force: true }).catch(logFailure(this.log, `removing the old claims ${file}`));
    }
  }

  private async read(file: string): Promise<Claim[]> {
    // No file yet: nothing claimed for this session. Anything unreadable counts as nothing claimed, logged.
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') logFailure(this.log, `reading the notification claims in ${file}`)(error);
      return '[]';
    });
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.filter(isClaim) : [];
    } catch (error) {
      logFailure(this.log, `parsing the notification claims in ${file}`)(error);
      return [];
    }
  }

  private async write(file: string, claims: readonly Claim[]): Promise<void> {
    this.prepared ??= privateFolder(this.dir);
    await this.prepared;
    // Replaced whole by a rename: a reader never sees half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(claims), { mode: 0o600 });
    await rename(temporary, file);
  }
}

function isClaim(value: unknown): value is Claim {
  const claim = value as Claim | null;
  return typeof claim?.state === 'string' && typeof claim.since === 'number';
}
