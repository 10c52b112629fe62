import { execa } from 'execa';
import { silentLogger, type CommandLogger } from '../commandLog';
import { WorkspaceError, errorMessage } from '../errors';
import { silentLog, type Logger } from '../log';
import { LOST, type ControlChannel } from './ControlConnection';
import { allowedEnvironment } from './environment';
import { tmuxCommandLine } from './quoting';
import { ACTIVITY_FORMAT, LIST_FORMAT, MARKER, parseActivityLine, parseLines, parseSessionLine, type LiveSession, type PaneActivity } from './listingFormat';
import { exactPane, exactSession, formatLiteral } from './targets';
import { endStuckServer, type ServerState } from './stuckServer';
import { unsupportedTmux } from './version';
import { shellQuote } from '../shell';
import { GONE, runTmuxProcess, settle, type RunOptions } from './tmuxProcess';

export { GONE, isGoneFailure, type RunOptions } from './tmuxProcess';
export { exactPane, exactSession, formatLiteral } from './targets';
export { MARKER, type LiveSession, type PaneActivity } from './listingFormat';

export const DEFAULT_TMUX_COMMAND: readonly string[] = ['tmux', '-L', 'tmux-workspaces'];

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

/** How long "tmux is not installed" is believed before asking again. */
const RECHECK_MISSING_MS = 5_000;

/** How often a launch is tried against a tmux server that is just exiting. */
const LAUNCH_ATTEMPTS = 3;

/** Commands that only read; every other command may change what `list-sessions` would say. */
const READ_ONLY_COMMANDS = new Set(['list-sessions', 'has-session', 'show-options', 'show-environment', 'capture-pane', 'display-message', 'list-clients', 'show-buffer']);

/** Commands that never go over the connection: killing the server ends the connection before tmux could answer. */
const PROCESS_ONLY = new Set(['kill-server']);

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
  private connection: ControlChannel | undefined;
  private tooOld: string | undefined;
  private serverPid: number | undefined;

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

  /**
   * Commands go over `connection` while it is ready (the watcher's control
   * client), else as processes. `previous`: only replace that connection (a
   * watcher that ended must not drop a newer one).
   */
  useConnection(connection: ControlChannel | undefined, previous?: ControlChannel): void {
    if (previous === undefined || this.connection === previous) this.connection = connection;
  }

  /** Whether a tmux server answers on our socket, asked of a process (the connection is the thing in doubt). */
  async serverRunning(): Promise<boolean> {
    return (await this.serverState()) === 'up';
  }

  /** Remembers the server's pid (asked while it is up), for ending it should it get stuck exiting. */
  async learnServerPid(): Promise<void> {
    const answer = await this.run(['display-message', '-p', '#{pid}'], { goneIsEmpty: true });
    if (answer !== GONE && Number(answer.trim()) > 0) this.serverPid = Number(answer.trim());
  }

  private async serverState(): Promise<ServerState> {
    try {
      await this.runProcess(['list-sessions', '-F', '#{session_name}'], {});
      return 'up';
    } catch (error) {
      if (!(error instanceof WorkspaceError && error.kind === 'gone')) throw error;
      return /server exited unexpectedly/.test(error.message) ? 'exiting' : 'none';
    }
  }

  /**
   * Whether the tmux binary runs at all and is not older than the minimum
   * (version.ts); asked once per client. A tmux that is too old counts as
   * unavailable, and `unsupported` says why.
   */
  available(): Promise<boolean> {
    if (this.availability && this.missingSince !== undefined && Date.now() - this.missingSince > RECHECK_MISSING_MS) {
      // tmux may have been installed (or updated) since: ask again, now and then.
      this.availability = undefined;
    }
    this.availability ??= execa(this.command[0], ['-V'], { env: this.environment, extendEnv: false, reject: false }).then(
      (result) => {
        if (result.exitCode !== 0) return false;
        this.tooOld = unsupportedTmux(String(result.stdout));
        if (this.tooOld) this.logger.warn(`[TmuxClient] ${this.tooOld}`);
        return this.tooOld === undefined;
      },
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

  /** Why tmux cannot be used though it runs (too old, naming the minimum), once `available` has asked. */
  async unsupported(): Promise<string | undefined> {
    await this.available();
    return this.tooOld;
  }

  /** Every session on our server with its markers, in one tmux call. An absent server has none. */
  async listSessions(): Promise<LiveSession[]> {
    const result = await this.run(['list-sessions', '-F', LIST_FORMAT], { goneIsEmpty: true });
    return result === GONE ? [] : parseLines(result, parseSessionLine);
  }

  /** Creates the session and sets its markers in one tmux invocation, so no session exists unmarked. */
  async launch(spec: LaunchSpec): Promise<void> {
    const create = ['new-session', '-d', '-s', spec.name, '-c', formatLiteral(spec.cwd), '--', ...spec.argv];
    const options: string[] = [];
    for (const [option, value] of Object.entries({ ...spec.markers, ...spec.sessionOptions })) {
      options.push(';', 'set-option', '-t', exactPane(spec.name), option, value);
    }
    for (const option of lifecycleOptions(spec.name)) options.push(';', ...option);
    if (spec.pipeOutputTo) options.push(';', ...pipeCommand(spec.name, spec.pipeOutputTo));
    const args = [...create, ...options];
    let endedStuck = false;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.run(args, { ifLost: () => this.finishLostLaunch(spec, args, options.slice(1)) });
        return;
      } catch (error) {
        // A server that is exiting (its last session just closed) refuses new clients with
        // "server exited unexpectedly"; nothing was created, and the next attempt starts a new server.
        if (!(error instanceof WorkspaceError && error.kind === 'gone')) throw error;
        if (attempt >= LAUNCH_ATTEMPTS) {
          // One that is still exiting is stuck: ended, it lets one more attempt start a new server.
          if (endedStuck || !(await endStuckServer(this.serverPid, () => this.serverState(), this.logger))) throw error;
          endedStuck = true;
        }
        this.logger.debug(`[TmuxClient] launching ${spec.name} met an exiting server (${error.message}); trying again`);
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /** Appends the pane's output from now on to `file` (replacing any pipe it had). */
  async pipeOutput(name: string, file: string): Promise<void> {
    await this.run(pipeCommand(name, file), { ifLost: 'retry' });
  }

  /**
   * A launch whose connection ended before tmux answered: whether it ran is
   * read from tmux (the session and its launch marker), so it is neither lost
   * nor run twice. tmux runs one line's commands in one go, so a session that
   * exists has its markers; its options are set again (each is idempotent).
   */
  private async finishLostLaunch(spec: LaunchSpec, args: readonly string[], options: readonly string[]): Promise<string> {
    const marker = await this.runProcess(['has-session', '-t', exactSession(spec.name), ';', 'display-message', '-p', '-t', exactPane(spec.name), `#{${MARKER.launch}}`], { goneIsEmpty: true });
    if (marker === GONE) {
      this.logger.info(`[TmuxClient] launching ${spec.name}: the control connection ended before tmux answered, and no such session exists; launching as a process`);
      return this.runProcess(args, {}) as Promise<string>;
    }
    const launchId = spec.markers[MARKER.launch];
    if (launchId === undefined || marker.trim() !== launchId) {
      throw new WorkspaceError('failed', `tmux new-session: the control connection ended before tmux answered, and session ${spec.name} exists without this launch's marker; it was left alone`);
    }
    this.logger.info(`[TmuxClient] launching ${spec.name}: the control connection ended before tmux answered; the session exists, its options are set again`);
    return this.runProcess(options, {}) as Promise<string>;
  }

  /** Stops a `pipe-pane`; a session that is gone has none. */
  async stopPipe(name: string): Promise<void> {
    await this.run(['pipe-pane', '-t', exactPane(name)], { goneIsEmpty: true, ifLost: 'retry' });
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
    const result = await this.run(['list-sessions', '-F', ACTIVITY_FORMAT], { goneIsEmpty: true });
    return result === GONE ? [] : parseLines(result, parseActivityLine);
  }

  /** Sets session options (markers) on a live session, all in one invocation. */
  async setMarkers(name: string, markers: Readonly<Record<string, string>>): Promise<void> {
    const args: string[] = [];
    for (const [option, value] of Object.entries(markers)) {
      if (args.length > 0) args.push(';');
      args.push('set-option', '-t', exactPane(name), option, value);
    }
    await this.run(args, { ifLost: 'retry' });
  }

  async hasSession(name: string): Promise<boolean> {
    return (await this.run(['has-session', '-t', exactSession(name)], { goneIsEmpty: true })) !== GONE;
  }

  /** Kills the session; `gone` when it was not there (which callers treat as stopped). */
  async killSession(name: string): Promise<'killed' | 'gone'> {
    // Killing again is safe: a session the lost command killed is "gone" the second time.
    const result = await this.run(['kill-session', '-t', exactSession(name)], { goneIsEmpty: true, ifLost: 'retry' });
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
      { goneIsEmpty: true, ifLost: 'retry' },
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
   * Runs one tmux command (or `;`-separated list): over the connection while it
   * is ready and the command fits on one line without stdin, else as a process.
   * With `goneIsEmpty`, "session/server gone" resolves to `GONE`; every other
   * failure rejects with tmux's own error text in the message. A command whose
   * connection ends before tmux answers is run again as a process when it only
   * reads or `ifLost` says so, recovered by `ifLost` when that is a function,
   * and otherwise fails: it may have run, and running it twice could matter.
   */
  async run(args: readonly string[], options: RunOptions = {}): Promise<string | typeof GONE> {
    const reads = READ_ONLY_COMMANDS.has(args[0]);
    if (!reads) this.mutationCount += 1;
    const connection = this.connection;
    const line = connection?.ready && options.input === undefined && !PROCESS_ONLY.has(args[0]) ? tmuxCommandLine(args) : undefined;
    if (connection && line !== undefined) {
      const started = performance.now();
      const reply = await connection.send(line);
      const record = { argv: [...this.command, '-u', ...args], durationMs: performance.now() - started, via: 'connection' as const };
      if (reply !== LOST) {
        this.log({ ...record, exitCode: reply.error === undefined ? 0 : 1, stderr: reply.error });
        // A process says "unknown command: x" where control mode says "parse error: unknown command: x".
        const stderr = reply.error?.replace(/^parse error: /, '').trim();
        return settle(args, stderr === undefined ? { exitCode: 0, stdout: reply.output, stderr: '' } : { exitCode: 1, stdout: '', stderr }, options);
      }
      this.log({ ...record, exitCode: undefined, stderr: 'the control connection ended before tmux answered' });
      const ifLost = options.ifLost ?? (reads ? 'retry' : 'fail');
      if (typeof ifLost === 'function') return ifLost();
      if (ifLost === 'fail') {
        throw new WorkspaceError('failed', `tmux ${args[0]}: the control connection ended before tmux answered; it may have run, so it was not run again`);
      }
      this.logger.debug(`[TmuxClient] ${args[0]}: the control connection ended before tmux answered; running it as a process`);
    }
    return this.runProcess(args, options);
  }

  private runProcess(args: readonly string[], options: RunOptions): Promise<string | typeof GONE> {
    return runTmuxProcess(this.command, this.environment, this.log, args, options);
  }
}
