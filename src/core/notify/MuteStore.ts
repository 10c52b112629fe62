import { watch, type FSWatcher } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Emitter, type Disposable } from '../events';
import { errorMessage } from '../errors';
import { logFailure, silentLog, type Logger } from '../log';
import { privateFolder } from '../privateFolder';

/**
 * The workspaces whose agent notifications the user muted. One empty file per
 * muted workspace (named by its id) under the shared state folder, so a mute
 * holds in every window and across restarts, and needs no record write.
 */
export class MuteStore implements Disposable {
  private muted = new Set<string>();
  private readonly changed: Emitter<void>;
  /** Fires when the muted set changed, in this window or another. */
  readonly onDidChange: Emitter<void>['event'];
  private watcher: FSWatcher | undefined;
  private disposed = false;
  private readonly log: Logger;

  constructor(
    private readonly dir: string,
    options: { log?: Logger } = {},
  ) {
    this.log = options.log ?? silentLog;
    this.changed = new Emitter<void>(this.log);
    this.onDidChange = this.changed.event;
  }

  /** Reads the muted workspaces and follows other windows' changes. */
  async start(): Promise<void> {
    await privateFolder(this.dir);
    if (this.disposed) return;
    this.watcher = watch(this.dir, () => void this.reload());
    this.watcher.on('error', (error) => this.log.warn(`watching ${this.dir} failed: ${errorMessage(error)}`));
    await this.reload();
  }

  get workspaces(): ReadonlySet<string> {
    return this.muted;
  }

  isMuted(workspaceId: string): boolean {
    return this.muted.has(workspaceId);
  }

  async setMuted(workspaceId: string, muted: boolean): Promise<void> {
    if (!/^[A-Za-z0-9._-]+$/.test(workspaceId) || workspaceId.startsWith('.')) throw new Error(`not a workspace id: ${workspaceId}`);
    await privateFolder(this.dir);
    const file = join(this.dir, workspaceId);
    if (muted) await writeFile(file, '', { mode: 0o600 });
    else await rm(file, { force: true });
    await this.reload();
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    this.changed.dispose();
  }

  private async reload(): Promise<void> {
    const names = await readdir(this.dir).catch(logFailure(this.log, `reading ${this.dir}`));
    if (!names || this.disposed) return;
    const next = new Set(names.filter((name) => !name.startsWith('.')));
    if (next.size === this.muted.size && [...next].every((id) => this.muted.has(id))) return;
    this.muted = next;
    this.changed.fire();
  }
}
