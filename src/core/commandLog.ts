import { execa, type ExecaError } from 'execa';

/** What the adapters report about every child process they run (the UI logs it). */
export interface CommandRecord {
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly exitCode: number | undefined;
  readonly durationMs: number;
  readonly stderr?: string;
  /** `connection`: sent over the window's tmux control connection, no process spawned. */
  readonly via?: 'connection';
}

export type CommandLogger = (record: CommandRecord) => void;

export const silentLogger: CommandLogger = () => undefined;

/** A child process that failed, after `runLogged` logged it: what its caller needs to say why. */
export interface LoggedFailure {
  readonly exitCode: number | undefined;
  /** `ENOENT` when the command (or the folder it ran in) does not exist. */
  readonly code: string | undefined;
  readonly stdout: string;
  /** Trimmed. */
  readonly stderr: string;
  readonly shortMessage: string;
}

export interface RunOptions {
  readonly cwd: string;
  /** Added to the process environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Keep the output's final newline (default: stripped). */
  readonly exact?: boolean;
}

/**
 * Runs `command args` (argv, stdin closed) and logs it with its duration,
 * exit status and stderr; resolves to its stdout, or calls `failure` with what
 * went wrong and throws what that returns (each adapter words its own errors).
 */
export async function runLogged(log: CommandLogger, command: string, args: readonly string[], options: RunOptions, failure: (failed: LoggedFailure) => Error): Promise<string> {
  const started = performance.now();
  const argv = [command, ...args];
  const { cwd } = options;
  try {
    const result = await execa(command, args, { cwd, stdin: 'ignore', env: options.env, stripFinalNewline: !options.exact });
    log({ argv, cwd, exitCode: 0, durationMs: performance.now() - started });
    return result.stdout;
  } catch (error) {
    const failed = error as ExecaError;
    const stderr = String(failed.stderr ?? '').trim();
    log({ argv, cwd, exitCode: failed.exitCode, durationMs: performance.now() - started, stderr });
    throw failure({ exitCode: failed.exitCode, code: failed.code, stdout: String(failed.stdout ?? ''), stderr, shortMessage: failed.shortMessage });
  }
}
