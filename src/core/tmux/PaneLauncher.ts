import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Pane commands get their environment through a handoff file, never through
 * tmux argv (visible in `ps`) nor the tmux server's environment (shared by
 * every pane forever). The start script sources the 0600 file, deletes it,
 * runs the command and records the command's own exit status.
 */
const START_SCRIPT = `#!/bin/sh
# tmux-workspaces pane start script.
# usage: start.sh HANDOFF_FILE STATUS_FILE -- COMMAND [ARG...]
handoff=$1
status_file=$2
shift 3
if [ -f "$handoff" ]; then
  . "$handoff"
  rm -f "$handoff"
fi
"$@"
status=$?
printf '%s\\n' "$status" > "$status_file"
exit "$status"
`;

export interface PaneCommand {
  /** argv for `tmux new-session … -- <argv>` */
  readonly argv: string[];
  readonly handoffFile: string;
  readonly statusFile: string;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class PaneLauncher {
  private readonly runDir: string;
  private prepared: Promise<string> | undefined;

  constructor(stateDir: string) {
    this.runDir = join(stateDir, 'run');
  }

  /** Writes the handoff file and returns the pane argv that consumes it. */
  async prepare(launchId: string, command: readonly string[], environment: Readonly<Record<string, string>>): Promise<PaneCommand> {
    const script = await this.startScript();
    const handoffFile = join(this.runDir, `${launchId}.env`);
    const statusFile = join(this.runDir, `${launchId}.status`);
    const lines = Object.entries(environment).map(([name, value]) => {
      if (!ENV_NAME.test(name)) throw new Error(`Invalid environment variable name: ${JSON.stringify(name)}`);
      return `export ${name}=${shellQuote(value)}`;
    });
    await writeFile(handoffFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    return { argv: ['/bin/sh', script, handoffFile, statusFile, '--', ...command], handoffFile, statusFile };
  }

  /** Removes a handoff file a failed launch never consumed. */
  async discard(command: PaneCommand): Promise<void> {
    await rm(command.handoffFile, { force: true });
  }

  /** The exit status the start script recorded for a launch, if its command has ended. */
  async exitStatus(launchId: string): Promise<number | undefined> {
    const file = join(this.runDir, `${launchId}.status`);
    try {
      const status = Number.parseInt(await readFile(file, 'utf8'), 10);
      await rm(file, { force: true });
      return Number.isNaN(status) ? undefined : status;
    } catch {
      return undefined;
    }
  }

  private startScript(): Promise<string> {
    this.prepared ??= (async () => {
      await mkdir(this.runDir, { recursive: true, mode: 0o700 });
      await chmod(this.runDir, 0o700);
      const script = join(this.runDir, 'start.sh');
      await writeFile(script, START_SCRIPT, { mode: 0o700 });
      return script;
    })();
    return this.prepared;
  }
}
