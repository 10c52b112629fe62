import { execa, type ExecaError } from 'execa';
import type { CommandLogger } from '../commandLog';
import { WorkspaceError } from '../errors';
import { tmuxProcessArgs } from './quoting';

/** What `run` resolves to, with `goneIsEmpty`, when the session or server is not there. */
export const GONE = Symbol('gone');

export interface RunOptions {
  /** "Session/server gone" resolves to `GONE` instead of rejecting. */
  readonly goneIsEmpty?: boolean;
  /** The command's stdin: such a command always runs as a process. */
  readonly input?: string;
  /**
   * What to do when the control connection ends before tmux answers: `retry`
   * as a process (safe when running twice changes nothing), `fail`, or a
   * recovery that finds out whether it ran. Default: `retry` for reads, else `fail`.
   */
  readonly ifLost?: 'retry' | 'fail' | (() => Promise<string | typeof GONE>);
}

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

export function isGoneFailure(exitCode: number | undefined, stderr: string): boolean {
  return exitCode === 1 && GONE_PATTERNS.some((pattern) => pattern.test(stderr));
}

/** How a command ended, over either path. */
export interface Outcome {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** A process that could not start: why (execa's short message). */
  readonly notRun?: string;
}

/** The same answer for the same outcome, whichever way the command went: its output, `GONE`, or a WorkspaceError. */
export function settle(args: readonly string[], outcome: Outcome, options: RunOptions): string | typeof GONE {
  if (outcome.exitCode === 0) return outcome.stdout;
  if (isGoneFailure(outcome.exitCode, outcome.stderr)) {
    if (options.goneIsEmpty) return GONE;
    throw new WorkspaceError('gone', `tmux ${args[0]}: ${outcome.stderr}`);
  }
  throw new WorkspaceError('failed', `tmux ${args[0]} failed: ${outcome.stderr || outcome.notRun}`);
}

/** Runs one tmux command as a process of its own, with the allow-listed `environment`. */
export async function runTmuxProcess(
  command: readonly string[],
  environment: Record<string, string>,
  log: CommandLogger,
  args: readonly string[],
  options: RunOptions,
): Promise<string | typeof GONE> {
  const [file, ...prefix] = command;
  // -u: outside a UTF-8 locale tmux prints the list-sessions tab separator (and any non-ASCII) as `_`.
  const argv = [...prefix, '-u', ...tmuxProcessArgs(args)];
  const started = performance.now();
  try {
    const result = await execa(file, argv, {
      env: environment,
      extendEnv: false,
      stdin: options.input === undefined ? 'ignore' : 'pipe',
      input: options.input,
      stripFinalNewline: false,
    });
    log({ argv: [file, ...argv], exitCode: 0, durationMs: performance.now() - started });
    return result.stdout;
  } catch (error) {
    const failure = error as ExecaError;
    const stderr = String(failure.stderr ?? '').trim();
    log({ argv: [file, ...argv], exitCode: failure.exitCode, durationMs: performance.now() - started, stderr });
    if (failure.code === 'ENOENT') {
      throw new WorkspaceError('unavailable', `tmux is not installed or not on PATH (tried "${file}"). Install tmux to run sessions.`);
    }
    return settle(args, { exitCode: failure.exitCode, stdout: '', stderr, notRun: failure.shortMessage }, options);
  }
}
