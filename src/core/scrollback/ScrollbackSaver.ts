import { logFailure, type Logger } from '../log';
import type { RecordStore } from '../store/RecordStore';
import { GONE, type TmuxClient } from '../tmux/TmuxClient';
import type { ScrollbackFiles, ScrollbackOwner } from './ScrollbackFiles';

/**
 * What says a pane printed since the last save, for every session in one
 * `list-sessions` call: history size, last output (to the second) and the
 * cursor. The same values mean the same screen; a capture is skipped.
 */
const SIGNATURE_FORMAT = ['#{session_name}', '#{history_size}', '#{window_activity}', '#{cursor_x}', '#{cursor_y}'].join('\t');

/** One window saves at a time; another that finds the lock taken skips its turn. */
export const SCROLLBACK_LOCK = 'scrollback';

/** Default period of the save of live sessions (`LifecycleOptions.scrollbackSaveMs`). */
export const DEFAULT_SAVE_PERIOD_MS = 60_000;

export interface SaverOptions {
  readonly tmux: TmuxClient;
  readonly store: RecordStore;
  readonly files: ScrollbackFiles;
  readonly log: Logger;
  /** Runs `task` unless another window runs it now (`TransitionLock.tryRun`). */
  readonly alone: (task: () => Promise<void>) => Promise<unknown>;
}

/**
 * Saves the history of every recorded session and base terminal whose pane
 * changed since its last save: on a slow timer of its own (never on the tree's
 * refresh path), and once more when the window closes (`flush`, bounded).
 */
export class ScrollbackSaver {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: SaverOptions) {}

  start(periodMs: number): void {
    if (periodMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.saveChanged().catch(logFailure(this.options.log, 'saving scrollback')), periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Saves what changed; resolves to how many sessions were captured. Calls that overlap share one pass. */
  saveChanged(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The window closes: one last pass, given up after `withinMs` (the editor waits for no one long). */
  async flush(withinMs: number): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timeout = setTimeout(() => {
        this.options.log.warn(`[Scrollback] saving at window close took over ${withinMs} ms; left to finish in the background`);
        resolve();
      }, withinMs);
    });
    await Promise.race([this.saveChanged().then(() => undefined, logFailure(this.options.log, 'saving scrollback at window close')), late]);
    clearTimeout(timeout);
  }

  private async pass(): Promise<number> {
    const owners = this.owners();
    if (owners.size === 0 || this.options.files.lines() === 0) return 0;
    let captured = 0;
    await this.options.alone(async () => {
      const listing = await this.options.tmux.run(['list-sessions', '-F', SIGNATURE_FORMAT], { goneIsEmpty: true });
      if (listing === GONE) return;
      for (const line of listing.split('\n').filter(Boolean)) {
        const [name, ...rest] = line.split('\t');
        const owner = owners.get(name);
        const signature = rest.join(',');
        if (!owner || (await this.options.files.unchangedSince(name, signature))) continue;
        if (await this.options.files.save(name, owner, signature)) captured += 1;
      }
    });
    return captured;
  }

  /** The sessions worth saving, by tmux name: recorded sessions and the base terminals of workspaces that have a worktree. */
  private owners(): Map<string, ScrollbackOwner> {
    const { store } = this.options;
    const owners = new Map<string, ScrollbackOwner>();
    for (const workspace of store.workspaces()) {
      if (workspace.status === 'ready') owners.set(workspace.baseSession, { workspaceId: workspace.id, label: 'terminal', kind: 'base' });
    }
    for (const session of store.sessions()) owners.set(session.tmuxName, { workspaceId: session.workspaceId, label: session.label, kind: session.kind });
    return owners;
  }
}
