import { WorkspaceError, errorMessage } from '../../core/errors';
import type { UiHost } from '../host';

/**
 * Shows a failed command the way its kind deserves: a refusal is a warning
 * (nothing changed), a missing tool or a real failure is an error with the
 * log one click away.
 */
export async function reportFailure(host: UiHost, action: string, error: unknown): Promise<void> {
  const message = `${action}: ${errorMessage(error)}`;
  if (error instanceof WorkspaceError && (error.kind === 'refused' || error.kind === 'gone')) {
    await host.warn(message);
    return;
  }
  if ((await host.error(message, 'Show Log')) === 'Show Log') host.showLog();
}

/** Runs a command body, reporting any failure instead of letting it escape to the editor. */
export async function reporting<T>(host: UiHost, action: string, body: () => Promise<T>): Promise<T | undefined> {
  try {
    return await body();
  } catch (error) {
    await reportFailure(host, action, error);
    return undefined;
  }
}
