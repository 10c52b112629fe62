import { WorkspaceError, errorMessage, type ErrorKind } from '../../core/errors';
import type { Logger } from '../../core/log';
import type { UiHost } from '../host';

/**
 * The user backed out: closed a picker or an input box, or answered Cancel.
 * A kind of its own, so a handler throws it instead of returning quietly,
 * and the guard shows nothing for it.
 */
export class Cancelled extends Error {
  readonly kind = 'cancelled';

  constructor(what = 'cancelled by the user') {
    super(what);
    this.name = 'Cancelled';
  }
}

/** The answer to a question, or `Cancelled` when the user dismissed it. */
export function answered<T>(answer: T | undefined): T {
  if (answer === undefined) throw new Cancelled();
  return answer;
}

/** A way out offered on a failure's notification (`Retry Setup`), run when the user clicks it. */
export interface Remedy {
  readonly label: string;
  readonly run: () => Promise<void>;
}

/**
 * A failure with what the user was doing (`Launch Claude`, `Delete workspace
 * "x"`) and in which workspace; the guard puts both in the message and the log.
 */
export class ActionFailure extends Error {
  constructor(
    readonly action: string,
    readonly error: unknown,
    readonly workspace?: string,
    readonly remedies: readonly Remedy[] = [],
  ) {
    super(`${action}: ${errorMessage(error)}`);
    this.name = 'ActionFailure';
  }
}

/** Runs `body`; a failure leaves it as an `ActionFailure` naming `action` (a cancellation passes as it is). */
export async function during<T>(action: string, body: () => Promise<T>, workspace?: string): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof Cancelled || error instanceof ActionFailure) throw error;
    throw new ActionFailure(action, error, workspace);
  }
}

/** Where failures go: the notification the user sees and the log behind Show Log. */
export interface Reporter {
  readonly host: UiHost;
  readonly log: Logger;
}

/** Pages that say how to install a missing tool, offered with an `unavailable` error. */
const INSTALL_PAGES: Readonly<Record<string, string>> = {
  tmux: 'https://github.com/tmux/tmux/wiki/Installing',
  git: 'https://git-scm.com/downloads',
};

const SHOW_LOG = 'Show Log';
const HOW_TO_INSTALL = 'How to Install';

/**
 * Shows a failed command the way its kind deserves, and writes it to the log
 * first with its context: a refusal or something gone is a warning (nothing
 * changed); a missing tool is a warning with its install page; a real failure
 * (or any other thrown error) is an error with Show Log; a cancellation shows
 * nothing. `command` is the command's title, used when no action was named.
 */
export async function reportFailure(reporter: Reporter, command: string, error: unknown): Promise<void> {
  const { host, log } = reporter;
  if (error instanceof Cancelled) {
    log.debug(`[${command}] ${error.message}`);
    return;
  }
  const { action, error: cause, workspace, remedies } = error instanceof ActionFailure ? error : new ActionFailure(command, error);
  const message = `${action}: ${errorMessage(cause)}`;
  const where = `[${command}]${workspace ? ` [workspace ${workspace}]` : ''}`;
  const kind: ErrorKind = cause instanceof WorkspaceError ? cause.kind : 'failed';
  const offered = [...remedies];
  if (kind === 'unavailable') {
    const page = Object.entries(INSTALL_PAGES).find(([tool]) => new RegExp(`\\b${tool} is not installed`).test(message))?.[1];
    if (page) offered.push({ label: HOW_TO_INSTALL, run: () => host.openExternal(page) });
  }
  let choice: string | undefined;
  if (kind === 'failed') {
    log.error(`${where} ${message}`, ...(cause instanceof Error && cause.stack ? [cause.stack] : []));
    offered.push({ label: SHOW_LOG, run: async () => host.showLog() });
    choice = await host.error(message, ...offered.map((remedy) => remedy.label));
  } else {
    log.warn(`${where} ${message}`);
    choice = await host.warn(message, ...offered.map((remedy) => remedy.label));
  }
  const remedy = offered.find((candidate) => candidate.label === choice);
  if (remedy) await remedy.run().catch((remedyError: unknown) => reportFailure(reporter, command, remedyError));
}

/** Runs work outside any command (a notification's action), reporting its failure the same way. */
export async function reporting(reporter: Reporter, command: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    await reportFailure(reporter, command, error);
  }
}
