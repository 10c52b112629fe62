/**
 * Errors are values with a kind, so the UI can decide how to show them:
 * - `refused`: the request was not carried out and nothing changed (bad input,
 *   a dirty worktree, a workspace in the wrong state);
 * - `gone`: the thing asked about no longer exists;
 * - `unavailable`: a tool the request needs (tmux, git) is not installed;
 * - `failed`: a real failure; the message carries the tool's own words.
 */
export type ErrorKind = 'refused' | 'gone' | 'unavailable' | 'failed';

export class WorkspaceError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

export function refused(message: string, details?: Record<string, unknown>): WorkspaceError {
  return new WorkspaceError('refused', message, details);
}

export function failed(message: string, details?: Record<string, unknown>): WorkspaceError {
  return new WorkspaceError('failed', message, details);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
