import { readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import { privateFolder } from '../privateFolder';
import type { SessionKind } from '../store/records';
import { GONE, exactPane, type TmuxClient } from '../tmux/TmuxClient';

/** How many lines of a session's history are kept by default (`tmuxWorkspaces.scrollbackLines`). */
export const DEFAULT_SCROLLBACK_LINES = 5_000;

/** The most a setting may ask for: beyond this a file is megabytes and printing it back takes long. */
export const MAX_SCROLLBACK_LINES = 50_000;

/** Files of sessions no record names any more are kept this long (Show Previous Output on the workspace). */
const UNRECORDED_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/** Names are tmux session names (`tw-…`): letters, digits and dashes only, so a name is never a path. */
const NAME = /^[A-Za-z0-9_-]+$/;

/** What a saved history is of; written beside it when the session starts. */
export interface ScrollbackOwner {
  readonly workspaceId: string;
  readonly label: string;
  readonly kind: SessionKind | 'base';
}

export interface SavedScrollback extends ScrollbackOwner {
  readonly name: string;
  readonly text: string;
  /** When it was written, milliseconds since the epoch. */
  readonly savedAt: number;
}

/** The part of a start script's handoff that saves the pane's history when its command ends. */
export interface HistoryHandoff {
  readonly file: string;
  readonly lines: number;
}

/** The history capture of tmux sessions and its private files: `<state>/scrollback/<name>.txt`, 0600, with `<name>.json` (owner, signature). */
export class ScrollbackFiles {
  readonly dir: string;
  private prepared: Promise<void> | undefined;

  constructor(
    stateDir: string,
    private readonly tmux: TmuxClient,
    private readonly log: Logger,
    private readonly lineSetting: () => number = () => DEFAULT_SCROLLBACK_LINES,
  ) {
    this.dir = join(stateDir, 'scrollback');
  }

  /** The bound in lines, as the setting says now (0: saving is off). */
  lines(): number {
    const asked = Math.floor(this.lineSetting());
    return Number.isFinite(asked) ? Math.min(Math.max(asked, 0), MAX_SCROLLBACK_LINES) : DEFAULT_SCROLLBACK_LINES;
  }

  /** Notes whose session `name` is, and returns what its start script needs to save it at the end (undefined when saving is off). */
  async begin(name: string, owner: ScrollbackOwner): Promise<HistoryHandoff | undefined> {
    const lines = this.lines();
    if (lines === 0) return undefined;
    await this.writeMeta(name, { ...owner });
    return { file: this.textFile(name), lines };
  }

  /**
   * Captures the session's history now (bounded) and writes it; `signature`
   * is kept beside it for `unchangedSince`. False when the session is gone.
   */
  async save(name: string, owner: ScrollbackOwner, signature?: string): Promise<boolean> {
    const lines = this.lines();
    if (lines === 0) return false;
    const captured = await this.tmux.run(['capture-pane', '-p', '-J', '-S', `-${lines}`, '-t', exactPane(name)], { goneIsEmpty: true });
    if (captured === GONE) return false;
    await this.write(name, trimTrailingBlank(captured));
    await this.writeMeta(name, { ...owner, signature });
    return true;
  }

  /** Whether the history saved for `name` was saved when the pane looked like `signature`. */
  async unchangedSince(name: string, signature: string): Promise<boolean> {
    return (await this.meta(name))?.signature === signature;
  }

  async read(name: string): Promise<SavedScrollback | undefined> {
    const file = this.textFile(name);
    try {
      const [text, info, meta] = await Promise.all([readFile(file, 'utf8'), stat(file), this.meta(name)]);
      if (!meta) return undefined;
      return { name, workspaceId: meta.workspaceId, label: meta.label, kind: meta.kind, text: trimTrailingBlank(text), savedAt: info.mtimeMs };
    } catch (error) {
      return this.unlessMissing(error, `reading ${file}`);
    }
  }

  /** Every saved history of a workspace, newest first. */
  async ofWorkspace(workspaceId: string): Promise<SavedScrollback[]> {
    const saved: SavedScrollback[] = [];
    for (const name of await this.names()) {
      const meta = await this.meta(name);
      if (meta?.workspaceId !== workspaceId) continue;
      const found = await this.read(name);
      if (found) saved.push(found);
    }
    return saved.sort((a, b) => b.savedAt - a.savedAt);
  }

  async remove(name: string): Promise<void> {
    if (!NAME.test(name)) return;
    await Promise.all([rm(this.textFile(name), { force: true }), rm(this.metaFile(name), { force: true })]);
  }

  async removeWorkspace(workspaceId: string): Promise<void> {
    for (const name of await this.names()) if ((await this.meta(name))?.workspaceId === workspaceId) await this.remove(name);
  }

  /**
   * Activation: removes the files of workspaces that no longer exist, and of
   * sessions no record names (`recorded`) once they are a week old.
   */
  async sweep(workspaceIds: ReadonlySet<string>, recorded: ReadonlySet<string>): Promise<number> {
    let removed = 0;
    for (const name of await this.names()) {
      const meta = await this.meta(name);
      const info = await stat(this.textFile(name)).catch((error: unknown) => this.unlessMissing(error, `reading ${name}`));
      const stale = !meta || !workspaceIds.has(meta.workspaceId) || (!recorded.has(name) && Date.now() - (info?.mtimeMs ?? 0) > UNRECORDED_KEEP_MS);
      if (!stale) continue;
      await this.remove(name);
      removed += 1;
    }
    return removed;
  }

  textFile(name: string): string {
    if (!NAME.test(name)) throw new Error(`Not a session name: ${JSON.stringify(name)}`);
    return join(this.dir, `${name}.txt`);
  }

  private metaFile(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  private async names(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -'.json'.length)).filter((name) => NAME.test(name));
    } catch (error) {
      this.unlessMissing(error, 'listing saved scrollback');
      return [];
    }
  }

  private async meta(name: string): Promise<(ScrollbackOwner & { signature?: string }) | undefined> {
    try {
      const parsed = JSON.parse(await readFile(this.metaFile(name), 'utf8')) as Partial<ScrollbackOwner & { signature: string }>;
      if (typeof parsed.workspaceId !== 'string' || typeof parsed.label !== 'string') return undefined;
      return { workspaceId: parsed.workspaceId, label: parsed.label, kind: parsed.kind ?? 'shell', signature: parsed.signature };
    } catch (error) {
      if (error instanceof SyntaxError) this.log.warn(`[Scrollback] ${name}.json is not JSON; ignored`);
      else this.unlessMissing(error, `reading ${name}.json`);
      return undefined;
    }
  }

  private async writeMeta(name: string, meta: ScrollbackOwner & { signature?: string }): Promise<void> {
    await this.writePrivate(this.metaFile(name), JSON.stringify(meta));
  }

  private async write(name: string, text: string): Promise<void> {
    await this.writePrivate(this.textFile(name), text.length > 0 ? `${text}\n` : '');
  }

  /** Written aside and renamed: a reader (or the pane printing it back) never sees half a file. */
  private async writePrivate(file: string, content: string): Promise<void> {
    this.prepared ??= privateFolder(this.dir).catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    await this.prepared;
    const aside = `${file}.${process.pid}.tmp`;
    await writeFile(aside, content, { mode: 0o600 });
    await rename(aside, file);
  }

  private unlessMissing(error: unknown, what: string): undefined {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`[Scrollback] ${what} failed: ${errorMessage(error)}`);
    return undefined;
  }
}

/** tmux pads a capture with the screen's empty rows. */
export function trimTrailingBlank(text: string): string {
  return text.replace(/\s+$/, '');
}
