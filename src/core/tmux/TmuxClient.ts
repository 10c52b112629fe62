import { execa, type ExecaError } from 'execa';
import { silentLogger, type CommandLogger } from '../commandLog';
import { WorkspaceError, errorMessage } from '../errors';
import { silentLog, type Logger } from '../log';
import { allowedEnvironment } from './environment';
import { shellQuote } from '../shell';

export const DEFAULT_TMUX_COMMAND: readonly string[] = ['tmux', '-L', 'tmux-workspaces'];

/** Session options (tmux user options) that mark a session as ours. */
export const MARKER = {
  owner: '@tw_owner',
  launch: '@tw_launch',
  key: '@tw_key',
} as const;

export interface LiveSession {
  readonly name: string;
  /** Seconds since the epoch, as tmux reports it. */
  readonly createdAt: number;
  readonly owner?: string;
  readonly launchId?: string;
  readonly key?: string;
  readonly attachedClients: number;
  readonly panePid?: number;
}

export interface LaunchSpec {
  readonly name: string;
  readonly cwd: string;
  /** The pane's command as an argv array; tmux runs it without a shell. */
  readonly argv: readonly string[];
  readonly markers: Readonly<Record<string, string>>;
  /**
   * A file the pane's output is appended to from its very first byte (a
   * `pipe-pane` set up in the same invocation), for watching what the program
   * prints before anything else could have attached.
   */
  readonly pipeOutputTo?: string;
  /**
   * Session options (the status line) set in the same invocation, each value
   * passed as one argument: a value that is a tmux format must be escaped by
   * the caller (`formatLiteral`).
   */
  readonly sessionOptions?: Readonly<Record<string, string>>;
}

/** When a session's pane last printed, and its title (programs set it; agents show spinners there). */
export interface PaneActivity {
  readonly name: string;
  /** Milliseconds since the epoch, to the second (tmux's resolution). */
  readonly lastOutputAt: number;
  readonly title: string;
}

export interface TmuxClientOptions {
  /** The tmux command, used verbatim (default: `tmux -L tmux-workspaces`). */
  readonly command?: readonly string[];
  /** The environment to filter through the allow-list (default: this process's). */
  readonly environment?: NodeJS.ProcessEnv;
  /** Every command run, with its exit status and stderr. */
  readonly log?: CommandLogger;
  /** What the client decides beside the commands (a retry, a tmux that cannot be started). */
  readonly logger?: Logger;
}

const FIELD_SEPARATOR = '\t';
const LIST_FORMAT = [
  '#{session_name}',
  '#{session_created}',
  `#{${MARKER.owner}}`,
  `#{${MARKER.launch}}`,
  `#{${MARKER.key}}`,
  '#{session_attached}',
  '#{pane_pid}',
].join(FIELD_SEPARATOR);

/**
 * The ways tmux says "that session (or the whole server) is not there".
 * Exit status 1 with one of these is "gone"; anything else is a real failure.
 */
const GONE_PATTERNS = [
  /can't find session/,
  /no server running/,
  /error connecting to .*\(No such file or directory\)/,
  /server exited unexpectedly/,
];

/** What `run` resolves to, with `goneIsEmpty`, when the session or server is not there. */
export const GONE = Symbol('gone');

export function isGoneFailure(exitCode: number | undefined, stderr: string): boolean {
  return exitCode === 1 && GONE_PATTERNS.some((pattern) => pattern.test(stderr));
}

/** How long "tmux is not installed" is believed before asking again. */
const RECHECK_MISSING_MS = 5_000;

/** How often a launch is tried against a tmux server that is just exiting. */
const LAUNCH_ATTEMPTS = 3;

/** Commands that only read; every other command may change what `list-sessions` would say. */
const READ_ONLY_COMMANDS = new Set(['list-sessions', 'has-session', 'show-options', 'show-environment', 'capture-pane', 'display-message', 'list-clients', 'show-buffer']);

/**
 * tmux expands formats in `-c` and in `pipe-pane`'s command: `#(…)` would run
 * a shell command and `#S` would change the path. A git branch may contain
 * `#`, so such values are passed with every `#` doubled, which tmux reads as
 * a literal `#`.
 */
export function formatLiteral(value: string): string {
  return value.replace(/#/g, '##');
}

/** `=name` matches that session exactly; a bare name also matches prefixes and patterns. */
export function exactSession(name: string): string {
  return `=${name}`;
}

/** Pane-scoped commands (set-option, capture-pane) need the session's current pane. */
export function exactPane(name: string): string {
  return `=${name}:`;
}

/**
 * Our server loads the user's ~/.tmux.conf (their bindings and looks stay),
 * but these options would break the lifecycle, so every session we create
 * forces them in the invocation that creates it, before the server's loop
 * could act on them.
 */
function lifecycleOptions(name: string): string[][] {
  return [
    // `remain-on-exit on` would keep a dead pane, and its session, around: no exit would be seen.
    ['set-option', '-w', '-t', exactPane(name), 'remain-on-exit', 'off'],
    // `destroy-unattached on` would kill a session nobody attached to (every base terminal) at once.
    ['set-option', '-t', exactPane(name), 'destroy-unattached', 'off'],
    // `exit-unattached on` would end the server, and every agent, when the last client detaches.
    ['set-option', '-s', 'exit-unattached', 'off'],
  ];
}

/** `pipe-pane` appending the pane's output to `file`; tmux runs the command with /bin/sh. */
function pipeCommand(name: string, file: string): string[] {
  return ['pipe-pane', '-O', '-t', exactPane(name), formatLiteral(`cat >> ${shellQuote(file, { always: true })}`)];
}

export class TmuxClient {
  readonly command: readonly string[];
  private readonly environment: Record<string, string>;
  private readonly log: CommandLogger;
  private readonly logger: Logger;
  private availability: Promise<boolean> | undefined;
  private missingSince: number | undefined;
  private mutationCount = 0;

  /** How many commands that may change the server this client has started; a listing is current while it stays the same. */
  get mutations(): number {
    return this.mutationCount;
  }

  constructor(options: TmuxClientOptions = {}) {
    this.command = options.command && options.command.length > 0 ? options.command : DEFAULT_TMUX_COMMAND;
    this.environment = allowedEnvironment(options.environment ?? process.env);
    this.log = options.log ?? silentLogger;
    this.logger = options.logger ?? silentLog;
  }

  /** Whether the tmux binary runs at all; asked once per client. */
  available(): Promise<boolean> {
    if (this.availability && this.missingSince !== undefined && Date.now() - this.missingSince > RECHECK_MISSING_MS) {
      // tmux may have been installed since: ask again, now and then.
      this.availability = undefined;
    }
    this.availability ??= execa(this.command[0], ['-V'], { env: this.environment, extendEnv: false, reject: false }).then(
      (result) => result.exitCode === 0,
      (error: unknown) => {
        this.logger.warn(`[TmuxClient] ${this.command[0]} -V could not run: ${errorMessage(error)}`);
        return false;
      },
    ).then((found) => {
      this.missingSince = found ? undefined : Date.now();
      return found;
    });
    return this.availability;
  }

  /** Every session on our server with its markers, in one tmux call. An absent server has none. */
  async listSessions(): Promise<LiveSession[]> {
    const result = await this.run(['list-sessions', '-F', LIST_FORMAT], { goneIsEmpty: true });
    if (result === GONE) return [];
    return result
      .split('\n')
      .filter((line) => line.length > 0)
      .map(parseSessionLine);
  }

  /** Creates the session and sets its markers in one tmux invocation, so no session exists unmarked. */
  async launch(spec: LaunchSpec): Promise<void> {
    const args = ['new-session', '-d', '-s', spec.name, '-c', formatLiteral(spec.cwd), '--', ...spec.argv];
    for (const [option, value] of Object.entries({ ...spec.markers, ...spec.sessionOptions })) {
      args.push(';', 'set-option', '-t', exactPane(spec.name), option, value);
    }
    for (const option of lifecycleOptions(spec.name)) args.push(';', ...option);
    if (spec.pipeOutputTo) args.push(';', ...pipeCommand(spec.name, spec.pipeOutputTo));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.run(args);
        return;
      } catch (error) {
        // A server that is exiting (its last session just closed) refuses new clients with
        // "server exited unexpectedly"; nothing was created, and the next attempt starts a new server.
        if (!(error instanceof WorkspaceError && error.kind === 'gone') || attempt >= LAUNCH_ATTEMPTS) throw error;
        this.logger.debug(`[TmuxClient] launching ${spec.name} met an exiting server (${error.message}); trying again`);
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /** Appends the pane's output from now on to `file` (replacing any pipe it had). */
  async pipeOutput(name: string, file: string): Promise<void> {
    await this.run(pipeCommand(name, file));
  }

  /** Stops a `pipe-pane`; a session that is gone has none. */
  async stopPipe(name: string): Promise<void> {
    await this.run(['pipe-pane', '-t', exactPane(name)], { goneIsEmpty: true });
  }

  /**
   * Pastes `text` into the session's pane as one bracketed paste: tmux reads it
   * from stdin into a buffer of its own (never argv, never a file), pastes it
   * with the bracketed-paste markers the program asked for, and deletes the buffer.
   */
  async paste(name: string, text: string, bufferName: string): Promise<void> {
    await this.run(['load-buffer', '-b', bufferName, '-', ';', 'paste-buffer', '-p', '-d', '-b', bufferName, '-t', exactPane(name)], { input: text });
  }

  async sendEnter(name: string): Promise<void> {
    await this.run(['send-keys', '-t', exactPane(name), 'Enter']);
  }

  /** Output time and pane title of every session, in one tmux call. */
  async listActivity(): Promise<PaneActivity[]> {
    const result = await this.run(['list-sessions', '-F', ['#{session_name}', '#{window_activity}', '#{pane_title}'].join(FIELD_SEPARATOR)], { goneIsEmpty: true });
    if (result === GONE) return [];
    return result
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        // The title goes last: it may itself contain the separator.
        const [name, activity, ...title] = line.split(FIELD_SEPARATOR);
        return { name, lastOutputAt: Number(activity) * 1000 || 0, title: title.join(FIELD_SEPARATOR) };
      });
  }

  /** Sets session options (markers) on a live session, all in one invocation. */
  async setMarkers(name: string, markers: Readonly<Record<string, string>>): Promise<void> {
    const args: string[] = [];
    for (const [option, value] of Object.entries(markers)) {
      if (args.length > 0) args.push(';');
      args.push('set-option', '-t', exactPane(name), option, value);
    }
    await this.run(args);
  }

  async hasSession(name: string): Promise<boolean> {
    return (await this.run(['has-session', '-t', exactSession(name)], { goneIsEmpty: true })) !== GONE;
  }

  /** Kills the session; `gone` when it was not there (which callers treat as stopped). */
  async killSession(name: string): Promise<'killed' | 'gone'> {
    const result = await this.run(['kill-session', '-t', exactSession(name)], { goneIsEmpty: true });
    return result === GONE ? 'gone' : 'killed';
  }

  /**
   * Kills the session only while it still carries this launch id, decided inside
   * the tmux server so another window cannot adopt it between check and kill.
   */
  async killSessionIfLaunch(name: string, launchId: string): Promise<'killed' | 'not-ours' | 'gone'> {
    const condition = `#{==:#{${MARKER.launch}},${launchId}}`;
    // if-shell evaluates a missing target against some other session; has-session first makes it "gone".
    const result = await this.run(
      ['has-session', '-t', exactSession(name), ';', 'if-shell', '-F', '-t', exactPane(name), condition, `kill-session -t ${exactSession(name)}`, 'display-message -p not-ours'],
      { goneIsEmpty: true },
    );
    if (result === GONE) return 'gone';
    return result.trim() === 'not-ours' ? 'not-ours' : 'killed';
  }

  async showGlobalEnvironment(): Promise<string> {
    const result = await this.run(['show-environment', '-g'], { goneIsEmpty: true });
    return result === GONE ? '' : result;
  }

  async killServer(): Promise<void> {
    await this.run(['kill-server'], { goneIsEmpty: true });
  }

  /**
   * The argv a terminal runs to attach: no inherited `$TMUX`, UTF-8 forced,
   * exits when the session does. `-N`: attaching never starts a server, which
   * would keep the environment of whatever shell the command was pasted into.
   */
  attachArgv(name: string): string[] {
    return ['env', '-u', 'TMUX', ...this.command, '-N', '-u', 'attach-session', '-E', '-t', exactSession(name)];
  }

  /** argv and environment for a long-lived client such as the control-mode watcher. */
  clientInvocation(args: readonly string[]): { file: string; args: string[]; env: Record<string, string> } {
    return { file: this.command[0], args: [...this.command.slice(1), ...args], env: { ...this.environment } };
  }

  /**
   * Runs one tmux command. With `goneIsEmpty`, "session/server gone" resolves to
   * `GONE`; every other failure rejects with tmux's own stderr in the message.
   */
  async run(args: readonly string[], options: { goneIsEmpty?: boolean; input?: string } = {}): Promise<string | typeof GONE> {
    if (!READ_ONLY_COMMANDS.has(args[0])) this.mutationCount += 1;
    const [file, ...prefix] = this.command;
    // -u: outside a UTF-8 locale tmux prints the list-sessions tab separator (and any non-ASCII) as `_`.
    const argv = [...prefix, '-u', ...args];
    const started = performance.now();
    try {
      const result = await execa(file, argv, {
        env: this.environment,
        extendEnv: false,
        stdin: options.input === undefined ? 'ignore' : 'pipe',
        input: options.input,
        stripFinalNewline: false,
      });
      this.log({ argv: [file, ...argv], exitCode: 0, durationMs: performance.now() - started });
      return result.stdout;
    } catch (error) {
      const failure = error as ExecaError;
      const stderr = String(failure.stderr ?? '').trim();
      this.log({ argv: [file, ...argv], exitCode: failure.exitCode, durationMs: performance.now() - started, stderr });
      if (failure.code === 'ENOENT') {
        throw new WorkspaceError('unavailable', `tmux is not installed or not on PATH (tried "${file}"). Install tmux to run sessions.`);
      }
      if (isGoneFailure(failure.exitCode, stderr)) {
        if (options.goneIsEmpty) return GONE;
        throw new WorkspaceError('gone', `tmux ${args[0]}: ${stderr}`);
      }
      throw new WorkspaceError('failed', `tmux ${args[0]} failed: ${stderr || failure.shortMessage}`);
    }
  }
}


function parseSessionLine(line: string): LiveSession {
  const [name, created, owner, launchId, key, attached, panePid] = line.split(FIELD_SEPARATOR);
  return {
    name,
    createdAt: Number(created),
    owner: owner || undefined,
    launchId: launchId || undefined,
    key: key || undefined,
    attachedClients: Number(attached) || 0,
    panePid: panePid ? Number(panePid) : undefined,
  };
}
