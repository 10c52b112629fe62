import { randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Emitter, type Disposable } from '../events';
import { logFailure, silentLog, type Logger } from '../log';

/**
 * A small file every window rewrites after it changes records, and watches
 * for the others' rewrites. Records themselves travel through `globalState`,
 * which reaches other windows on its own schedule; the marker only says
 * "look again", so a window's tree follows another's within about a second.
 */
export class ChangeMarker implements Disposable {
  private readonly instance = randomUUID();
  private readonly temporary: string;
  private readonly changed = new Emitter<void>();
  private watcher: FSWatcher | undefined;
  private pending: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private count = 0;

  constructor(
    private readonly file: string,
    private readonly log: Logger = silentLog,
  ) {
    this.temporary = `${file}.${this.instance}.tmp`;
  }

  touch(): void {
    const content = `${this.instance} ${Date.now()} ${++this.count}\n`;
    this.writing = this.writing
      .then(() => mkdir(dirname(this.file), { recursive: true }))
      // Whole or not at all: a watcher reading a half-written file would take it for another window's.
      .then(() => writeFile(this.temporary, content))
      .then(() => rename(this.temporary, this.file))
      // Other windows then learn of this change at their next safety-net reconcile.
      .catch(logFailure(this.log, `telling other windows of a change (${this.file})`));
  }

  onDidChange(listener: () => void): Disposable {
    const subscription = this.changed.event(listener);
    void this.startWatching();
    return subscription;
  }

  private async startWatching(): Promise<void> {
    if (this.watcher) return;
    await mkdir(dirname(this.file), { recursive: true });
    if (this.watcher) return;
    // The folder, not the file: the file may not exist yet, and editors of it may replace it.
    this.watcher = watch(dirname(this.file), (_event, name) => {
      if (name && name !== basename(this.file)) return;
      if (this.pending) return;
      this.pending = setTimeout(() => {
        this.pending = undefined;
        void this.readWriter().then((writer) => {
          if (writer && writer !== this.instance) this.changed.fire();
        });
      }, 20);
    });
    this.watcher.unref();
  }

  private async readWriter(): Promise<string | undefined> {
    try {
      return (await readFile(this.file, 'utf8')).split(' ', 1)[0] || undefined;
    } catch (error) {
      // Removed between the change event and this read: no writer to tell apart.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logFailure(this.log, `reading ${this.file}`)(error);
      return undefined;
    }
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.watcher?.close();
    this.changed.dispose();
  }
}
