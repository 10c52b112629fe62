import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logFailure, silentLog, type Logger } from '../log';
import { privateFolder } from '../privateFolder';

/** What one window is looking at: whether it has the focus, and the tmux session of its active terminal. */
export interface WindowFocus {
  readonly focused: boolean;
  /** The tmux session its active terminal is attached to, if that is one of ours. */
  readonly terminal?: string;
  /** When the user last did something there (focused it, changed its active editor or terminal). */
  readonly activeAt: number;
}

/**
 * Where each window of ours says what it is looking at, so a window can tell
 * that another one has an agent's terminal in front of the user (and stay
 * quiet about it), or has the focus (and so notifies first). One file per
 * window, named `<pid>-<random>`; a file whose process is gone is ignored and removed.
 */
export class FocusBoard {
  /** This window's name on the board. */
  readonly id: string;
  private prepared: Promise<void> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly log: Logger;
  private own: WindowFocus | undefined;

  constructor(
    private readonly dir: string,
    options: { log?: Logger; id?: string } = {},
  ) {
    this.log = options.log ?? silentLog;
    this.id = options.id ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  /** Says what this window looks at now; writes are kept in order. */
  publish(focus: WindowFocus): Promise<void> {
    this.own = focus;
    this.writing = this.writing.then(() => this.write(focus)).catch(logFailure(this.log, 'publishing the window focus'));
    return this.writing;
  }

  /** What the other live windows look at. */
  async others(): Promise<WindowFocus[]> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') logFailure(this.log, `reading ${this.dir}`)(error);
      return [] as string[];
    });
    const found: WindowFocus[] = [];
    for (const name of names) {
      if (name === this.id || name.endsWith('.tmp')) continue;
      if (!processAlive(Number(name.split('-', 1)[0]))) {
        await rm(join(this.dir, name), { force: true }).catch(logFailure(this.log, `removing the focus file of a closed window, ${name}`));
        continue;
      }
      const focus = this.parse(name, await readFile(join(this.dir, name), 'utf8').catch(logFailure(this.log, `reading the focus of window ${name}`, 'debug')));
      if (focus) found.push(focus);
    }
    return found;
  }

  /**
   * Whether this window is the one in front of the user: it has the focus,
   * and no other window of ours that also says so was used more recently
   * (browsers can report several focused pages at once).
   */
  async leads(): Promise<boolean> {
    const own = this.own;
    if (!own?.focused) return false;
    return !(await this.others()).some((other) => other.focused && other.activeAt > own.activeAt);
  }

  /** Takes this window off the board (it closes). */
  async dispose(): Promise<void> {
    await this.writing;
    await rm(join(this.dir, this.id), { force: true }).catch(logFailure(this.log, 'removing this window\'s focus file'));
  }

  /** Files are replaced whole by a rename; anything else in one says nothing (logged). */
  private parse(name: string, text: string | undefined): WindowFocus | undefined {
    if (text === undefined) return undefined;
    try {
      const value = JSON.parse(text) as Partial<WindowFocus> | null;
      if (typeof value?.focused !== 'boolean') return undefined;
      const activeAt = typeof value.activeAt === 'number' ? value.activeAt : 0;
      return { focused: value.focused, activeAt, ...(typeof value.terminal === 'string' ? { terminal: value.terminal } : {}) };
    } catch (error) {
      logFailure(this.log, `parsing the focus of window ${name}`)(error);
      return undefined;
    }
  }

  private async write(focus: WindowFocus): Promise<void> {
    this.prepared ??= privateFolder(this.dir);
    await this.prepared;
    const file = join(this.dir, this.id);
    await writeFile(`${file}.tmp`, JSON.stringify(focus), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
}


function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, another user's (not ours, but not gone either).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
