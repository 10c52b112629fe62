import { logFailure } from '../log';
import type { WorkspaceRecord } from '../store/records';
import type { LifecycleContext } from './context';

const INTERRUPTED_SETUP = 'setup was interrupted; retry setup or delete';
const INTERRUPTED_DELETE = 'deletion was interrupted; retry deletion';

/** Whether a record is in the middle of a transition that its window may have left unfinished. */
export function isMidTransition(record: WorkspaceRecord): boolean {
  return record.status === 'creating' || record.status === 'deleting';
}

/**
 * Marks a `creating` or `deleting` left by a window that went away as
 * `error` or `deletion_failed`, saying what to do. With the workspace's lock:
 * holding it proves no live window runs the transition.
 */
export async function markInterrupted(context: LifecycleContext, record: WorkspaceRecord): Promise<true> {
  const { store, log } = context;
  const [from, to, lastError] = record.status === 'creating'
    ? (['creating', 'error', INTERRUPTED_SETUP] as const)
    : (['deleting', 'deletion_failed', INTERRUPTED_DELETE] as const);
  // Refused when the transition finished meanwhile: then there is nothing to mark.
  const marked = await store.transition(record.id, [from], { status: to, lastError }).catch(logFailure(log, `marking ${record.id} interrupted`, 'debug'));
  // The row now says so: the log does too.
  if (marked) log.warn(`workspace "${record.branch}": ${lastError}`);
  context.changed(record.id);
  await context.mirror(record.id);
  return true;
}
