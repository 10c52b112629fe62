import { logFailure } from '../log';
import type { WorkspaceRecord, WorkspaceStatus } from '../store/records';
import type { LifecycleContext } from './context';

/** Each mid-transition status, what it becomes when its window went away, and what the row then says to do. */
const INTERRUPTED: Partial<Record<WorkspaceStatus, { readonly to: WorkspaceStatus; readonly lastError: string }>> = {
  creating: { to: 'error', lastError: 'setup was interrupted; retry setup or delete' },
  deleting: { to: 'deletion_failed', lastError: 'deletion was interrupted; retry deletion' },
  archiving: { to: 'archive_failed', lastError: 'archiving was interrupted; archive again or delete' },
};

/** Whether a record is in the middle of a transition that its window may have left unfinished. */
export function isMidTransition(record: WorkspaceRecord): boolean {
  return INTERRUPTED[record.status] !== undefined;
}

/**
 * Marks a `creating`, `deleting` or `archiving` left by a window that went
 * away as `error`, `deletion_failed` or `archive_failed`, saying what to do.
 * With the workspace's lock: holding it proves no live window runs the transition.
 */
export async function markInterrupted(context: LifecycleContext, record: WorkspaceRecord): Promise<true> {
  const { store, log } = context;
  const interrupted = INTERRUPTED[record.status];
  if (!interrupted) return true;
  const { to, lastError } = interrupted;
  // Refused when the transition finished meanwhile: then there is nothing to mark.
  const marked = await store.transition(record.id, [record.status], { status: to, lastError }).catch(logFailure(log, `marking ${record.id} interrupted`, 'debug'));
  // The row now says so: the log does too.
  if (marked) log.warn(`workspace "${record.branch}": ${lastError}`);
  context.changed(record.id);
  await context.mirror(record.id);
  return true;
}
