import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shellQuote } from '../shell';
import { privateFolder } from '../privateFolder';
import { PANE_OWN_VARIABLES, paneBaseEnvironment } from './environment';
import { silentLog, type Logger } from '../log';
import { errorMessage } from '../errors';

/** How many lines of a failed command's output are kept. */
export const LAST_LINES = 40;

/**
 * Pane commands get their environment through a handoff file, never through
 * tmux argv (visible in `ps`) nor the tmux server's environment (shared by
 * every pane forever). The start script sources the 0600 file, deletes it,
 * runs the command and records the command's own exit status. When the
 * handoff asks for it (`tw_lines_file`), a command that failed also leaves
 * the pane's last lines: the script captures them itself while its pane is
 * still there, which needs neither remain-on-exit nor a tmux hook.
 */
const START_SCRIPT = `#!/bin/sh
# tmux-workspaces pane start script.
# usage: start.sh HANDOFF_FILE STATUS_FILE -- COMMAND [ARG...]
# The pane inherits the tmux server's environment, which is whatever the shell that first
# started the server held (a token, say). Start again from nothing but what tmux says about
# this pane; the handoff brings the allow-listed variables and the command's own.
if [ "$3" = -- ]; then
  handoff=$1
  status_file=$2
  shift 3
  exec /usr/bin/env -i ${PANE_OWN_VARIABLES.map((name) => `${name}="$${name}"`).join(' ')} /bin/sh "$0" "$handoff" "$status_file" --clean "$@"
fi
handoff=$1
status_file=$2
shift 3
tw_lines_file=
tw_history_file=
tw_history_lines=0
tw_restore_file=
tw_restore_note=
tw_tmux=tmux
if [ -f "$handoff" ]; then
  . "$handoff"
  rm -f "$handoff"
fi
# A restored terminal first shows what it held before, dimmed, under a marker line.
if [ -n "$tw_restore_file" ] && [ -f "$tw_restore_file" ]; then
  printf '\\033[2m'
  cat "$tw_restore_file"
  printf '\\033[0m%s\\n' "$tw_restore_note"
  rm -f "$tw_restore_file"
fi
"$@"
status=$?
printf '%s\\n' "$status" > "$status_file"
if [ -n "$TMUX" ] && [ -n "$TMUX_PANE" ]; then
  if [ "$status" -ne 0 ] && [ -n "$tw_lines_file" ]; then
    "$tw_tmux" -S "\${TMUX%%,*}" capture-pane -p -J -S -${LAST_LINES} -t "$TMUX_PANE" > "$tw_lines_file" 2>/dev/null
  fi
  # The pane's history, saved while the pane is still there (remain-on-exit is off); written aside, then renamed.
  if [ -n "$tw_history_file" ]; then
    (umask 077; "$tw_tmux" -S "\${TMUX%%,*}" capture-pane -p -J -S -"$tw_history_lines" -t "$TMUX_PANE" > "$tw_history_file.$$.tmp" 2>/dev/null && mv -f "$tw_history_file.$$.tmp" "$tw_history_file")
  fi
fi
exit "$status"
`;

export interface PrepareOptions {
  /** A failing command leaves its last lines for `lastLines`. */
  readonly keepLastLines?: boolean;
  /** Where the pane's history goes when its command ends, and how many lines of it. */
  readonly history?: { readonly file: string; readonly lines: number };
  /** Printed (dimmed, then `note` as a marker line) before the command starts: a restored terminal's old output. */
  readonly restore?: { readonly text: string; readonly note: string };
}

export interface PaneCommand {
  /** argv for `tmux new-session … -- <argv>` */
  readonly argv: string[];
  readonly handoffFile: string;
  readonly statusFile: string;
}


const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How many exit statuses a launcher remembers after deleting their files. */
const REMEMBERED_STATUSES = 200;

export interface PaneLauncherOptions {
  /** Filtered through the allow-list into every handoff (default: this process's environment). */
  readonly environment?: NodeJS.ProcessEnv;
  readonly log?: Logger;
}

export class PaneLauncher {
  private readonly runDir: string;
  private readonly readStatuses = new Map<string, number | undefined>();
  private readonly baseEnvironment: Record<string, string>;
  private readonly log: Logger;
  private prepared: Promise<string> | undefined;

  /** `tmuxProgram`: the tmux binary a pane uses to capture its own last lines. */
  constructor(
    stateDir: string,
    private readonly tmuxProgram = 'tmux',
    options: PaneLauncherOptions = {},
  ) {
    this.runDir = join(stateDir, 'run');
    this.baseEnvironment = paneBaseEnvironment(options.environment ?? process.env);
    this.log = options.log ?? silentLog;
  }

  /**
   * Writes the handoff file (the allow-listed environment, then `environment`)
   * and returns the pane argv that consumes it.
   * The start script's own variables (`options`) are shell variables, never exported to the command.
   */
  async prepare(
    launchId: string,
    command: readonly string[],
    environment: Readonly<Record<string, string>>,
    options: PrepareOptions = {},
  ): Promise<PaneCommand> {
    const script = await this.startScript();
    const handoffFile = join(this.runDir, `${launchId}.env`);
    const statusFile = join(this.runDir, `${launchId}.status`);
    const lines = Object.entries({ ...this.baseEnvironment, ...environment }).map(([name, value]) => {
      if (!ENV_NAME.test(name)) throw new Error(`Invalid environment variable name: ${JSON.stringify(name)}`);
      return `export ${name}=${shellQuote(value, { always: true })}`;
    });
    if (options.keepLastLines) {
      // Shell variables of the start script only: not exported, so the command never sees them.
      lines.push(`tw_lines_file=${shellQuote(this.linesFile(launchId), { always: true })}`, `tw_tmux=${shellQuote(this.tmuxProgram, { always: true })}`);
    }
    lines.push(...(await this.restoreLines(launchId, options)));
    await writeFile(handoffFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    return { argv: ['/bin/sh', script, handoffFile, statusFile, '--', ...command], handoffFile, statusFile };
  }

  /** The handoff lines that save the pane's history at its end and print a restored one at its start. */
  private async restoreLines(launchId: string, options: PrepareOptions): Promise<string[]> {
    const quoted = (value: string | number) => shellQuote(String(value), { always: true });
    const lines: string[] = [];
    if (options.history && options.history.lines > 0) lines.push(`tw_history_file=${quoted(options.history.file)}`, `tw_history_lines=${quoted(options.history.lines)}`);
    if (options.restore) {
      // In a file of its own, read and deleted by the script: the history may be long, and is no shell code.
      const file = join(this.runDir, `${launchId}.restore`);
      await writeFile(file, options.restore.text.length > 0 ? `${options.restore.text}\n` : '', { mode: 0o600 });
      lines.push(`tw_restore_file=${quoted(file)}`, `tw_restore_note=${quoted(options.restore.note)}`);
    }
    if (lines.length > 0) lines.push(`tw_tmux=${quoted(this.tmuxProgram)}`);
    return lines;
  }

  /**
   * Removes handoff files no pane consumed (a window that died between writing
   * one and starting its pane). A pane reads its file within moments of the
   * launch, so anything older than `maxAgeMs` is dead and may hold secrets.
   */
  async sweepHandoffs(maxAgeMs = 60_000): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.runDir);
    } catch (error) {
      this.unlessMissing(error, 'listing handoff files');
      return 0;
    }
    let removed = 0;
    for (const name of names.filter((candidate) => candidate.endsWith('.env') || candidate.endsWith('.restore'))) {
      const file = join(this.runDir, name);
      const info = await stat(file).catch((error: unknown) => this.unlessMissing(error, `reading ${file}`));
      if (info && Date.now() - info.mtimeMs > maxAgeMs) {
        await rm(file, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  /** Removes a handoff file a failed launch never consumed. */
  async discard(command: PaneCommand): Promise<void> {
    await rm(command.handoffFile, { force: true });
    await rm(command.handoffFile.replace(/\.env$/, '.restore'), { force: true });
  }

  /** The exit status the start script recorded for a launch, if its command has ended. */
  async exitStatus(launchId: string): Promise<number | undefined> {
    if (this.readStatuses.has(launchId)) return this.readStatuses.get(launchId);
    const file = join(this.runDir, `${launchId}.status`);
    try {
      const parsed = Number.parseInt(await readFile(file, 'utf8'), 10);
      const status = Number.isNaN(parsed) ? undefined : parsed;
      // The file goes, the answer stays: the exit check and a launch's own check may both ask.
      this.readStatuses.set(launchId, status);
      if (this.readStatuses.size > REMEMBERED_STATUSES) this.readStatuses.delete(this.readStatuses.keys().next().value!);
      await rm(file, { force: true });
      return status;
    } catch (error) {
      return this.unlessMissing(error, `reading exit status ${file}`);
    }
  }

  /**
   * The last lines a failed command left (trailing blank lines dropped), read
   * once: the file is deleted.
   */
  async lastLines(launchId: string): Promise<string | undefined> {
    const file = this.linesFile(launchId);
    try {
      const text = (await readFile(file, 'utf8')).replace(/\s+$/, '');
      await rm(file, { force: true });
      return text || undefined;
    } catch (error) {
      return this.unlessMissing(error, `reading last lines ${file}`);
    }
  }

  /** A file that is not there is an answer ("not yet"); any other failure is logged. */
  private unlessMissing(error: unknown, what: string): undefined {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`[PaneLauncher] ${what} failed: ${errorMessage(error)}`);
    return undefined;
  }

  private linesFile(launchId: string): string {
    return join(this.runDir, `${launchId}.lines`);
  }

  private startScript(): Promise<string> {
    this.prepared ??= (async () => {
      await privateFolder(this.runDir);
      const script = join(this.runDir, 'start.sh');
      await writeFile(script, START_SCRIPT, { mode: 0o700 });
      return script;
    })();
    return this.prepared;
  }
}
