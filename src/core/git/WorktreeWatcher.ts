import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { errorMessage } from '../errors';
import { Emitter, type Disposable } from '../events';
import { silentLog, type Logger } from '../log';

/** Files in a worktree's git folder whose change means its commits or its index changed. */
const WATCHED = new Set(['index', 'HEAD']);
const DEBOUNCE_MS = 300;

interface Watched {
  readonly path: string;
  readonly watchers: FSWatcher[];
  timer?: NodeJS.Timeout;
}

/**
 * Tells when a worktree's index or HEAD changed (a stage, a commit, a
 * checkout, a reset), debounced per worktree, so its change counts are
 * recounted then and never by polling. It watches the worktree's own git
 * folder (`.git/worktrees/<name>`) and its `logs/` (every commit appends to
 * `logs/HEAD`), found from the worktree's `.git` file without running git.
 */
export class WorktreeWatcher implements Disposable {
  private readonly changed = new Emitter<string>();
  /** Fires with the workspace id whose worktree changed. */
  readonly onDidChange = this.changed.event;
  private readonly watched = new Map<string, Watched>();
  private readonly log: Logger;
  private readonly debounceMs: number;
  private disposed = false;

  constructor(options: { log?: Logger; debounceMs?: number } = {}) {
    this.log = options.log ?? silentLog;
    this.debounceMs = options.debounceMs ?? DEBOUNCE_MS;
  }

  /**
   * Watches exactly these worktrees (by workspace id): new ones start, gone
   * ones stop. Resolves once the new watches are up (callers need not wait).
   */
  track(worktrees: readonly { readonly id: string; readonly worktreePath: string }[]): Promise<void> {
    const wanted = new Map(worktrees.map((worktree) => [worktree.id, worktree.worktreePath]));
    for (const [id, entry] of this.watched) {
      if (wanted.get(id) !== entry.path) this.stop(id);
    }
    const started = [...wanted].filter(([id]) => !this.watched.has(id)).map(([id, path]) => this.start(id, path));
    return Promise.all(started).then(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.watched.keys()]) this.stop(id);
    this.changed.dispose();
  }

  private async start(id: string, path: string): Promise<void> {
    const entry: Watched = { path, watchers: [] };
    this.watched.set(id, entry);
    let gitDir: string | undefined;
    try {
      gitDir = await worktreeGitDir(path);
    } catch (error) {
      // No worktree there (yet, or any more): nothing to watch; the next track() tries again.
      this.log.debug(`not watching ${path}: ${errorMessage(error)}`);
      if (this.watched.get(id) === entry) this.watched.delete(id);
      return;
    }
    if (this.disposed || this.watched.get(id) !== entry) return;
    for (const folder of [gitDir, join(gitDir, 'logs')]) {
      try {
        const watcher = watch(folder, { persistent: false }, (_event, file) => {
          if (file && WATCHED.has(file.toString())) this.touch(id, entry);
        });
        watcher.on('error', (error) => this.log.debug(`watching ${folder} stopped: ${errorMessage(error)}`));
        entry.watchers.push(watcher);
      } catch (error) {
        // `logs/` appears with the first commit or checkout; the folder itself is enough until then.
        this.log.debug(`not watching ${folder}: ${errorMessage(error)}`);
      }
    }
  }

  private touch(id: string, entry: Watched): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.watched.get(id) === entry) this.changed.fire(id);
    }, this.debounceMs);
    entry.timer.unref();
  }

  private stop(id: string): void {
    const entry = this.watched.get(id);
    if (!entry) return;
    this.watched.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
    for (const watcher of entry.watchers) watcher.close();
  }
}

/** A linked worktree's `.git` is a file saying `gitdir: <its folder under the repository's .git/worktrees>`. */
export async function worktreeGitDir(worktree: string): Promise<string> {
  const text = await readFile(join(worktree, '.git'), 'utf8');
  const match = /^gitdir: (.+)$/m.exec(text);
  if (!match) throw new Error(`${worktree}/.git does not name a git folder`);
  const dir = match[1].trim();
  return isAbsolute(dir) ? dir : resolve(worktree, dir);
}
