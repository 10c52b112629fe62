import type { WorkspaceStatus } from '../core/store/records';

/**
 * The words for things the UI shows in more than one place, so the tree,
 * the pickers, the status bar and the messages speak one vocabulary. In UI
 * strings "base" is always qualified: the *base branch* is what a new branch
 * starts from; the *base terminal* is the workspace's durable tmux session.
 */
const STATUS_WORDS: Record<WorkspaceStatus, string> = {
  creating: 'creating',
  ready: 'ready',
  error: 'setup failed',
  deleting: 'deleting',
  deletion_failed: 'deletion failed',
  archiving: 'archiving',
  archived: 'archived',
  archive_failed: 'archive failed',
};

/** A workspace status as the user reads it: `setup failed`, not `error`; `deletion failed`, not `deletion_failed`. */
export function statusWords(status: WorkspaceStatus): string {
  return STATUS_WORDS[status];
}

/** `1 session`, `3 sessions`; `plural` for words that do not just take an "s". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** How long ago, in words for a tooltip: `just now`, `1 minute ago`, `3 hours ago`, `2 days ago`. */
export function ago(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${count(minutes, 'minute')} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${count(hours, 'hour')} ago`;
  return `${count(Math.floor(hours / 24), 'day')} ago`;
}

/**
 * An attach terminal's title: `shell · my-feature`, each name once (a label
 * that already names the workspace is used as it is); the base terminal is
 * the workspace's own, titled by the workspace alone.
 */
export function terminalTitle(workspace: string, session?: string): string {
  if (!session || session.includes(workspace)) return session ?? workspace;
  return `${session} · ${workspace}`;
}
