import type { WorkspaceView } from '../../core/lifecycle/RuntimeLifecycle';
import type { WorkspaceStats } from './nodes';

/** Another live workspace of the same repository that changes some of the same files. */
export interface Overlap {
  readonly workspaceId: string;
  readonly branch: string;
  readonly files: readonly string[];
}

/**
 * For each ready workspace, the other ready workspaces of its repository
 * whose changes touch the same files, from the change sets the rows already
 * show (no git of its own): a conflict to know about while the agents still
 * work, not at merge time.
 */
export function findOverlaps(workspaces: readonly WorkspaceView[], stats: ReadonlyMap<string, WorkspaceStats>): Map<string, Overlap[]> {
  const live = workspaces
    .filter((view) => view.record.status === 'ready')
    .map((view) => ({ view, files: new Set((stats.get(view.record.id)?.files ?? []).map((file) => file.path)) }))
    .filter((entry) => entry.files.size > 0);
  const overlaps = new Map<string, Overlap[]>();
  for (const one of live) {
    for (const other of live) {
      if (other === one || other.view.record.repoPath !== one.view.record.repoPath) continue;
      const files = [...one.files].filter((path) => other.files.has(path)).sort();
      if (files.length === 0) continue;
      const list = overlaps.get(one.view.record.id) ?? [];
      list.push({ workspaceId: other.view.record.id, branch: other.view.record.branch, files });
      overlaps.set(one.view.record.id, list);
    }
  }
  return overlaps;
}

/** The row's words for its overlaps: `overlaps feature/x` or `overlaps 2 workspaces`. */
export function overlapWords(overlaps: readonly Overlap[]): string {
  return overlaps.length === 1 ? `overlaps ${overlaps[0].branch}` : `overlaps ${overlaps.length} workspaces`;
}

/** The tooltip's lines: which workspace changes which of the same files. */
export function overlapTooltip(overlaps: readonly Overlap[]): string {
  const shown = 5;
  return overlaps
    .map((overlap) => {
      const files = overlap.files.slice(0, shown).map((path) => `\`${path}\``).join(', ');
      const more = overlap.files.length > shown ? ` and ${overlap.files.length - shown} more` : '';
      return `⚠ Changes the same files as **${overlap.branch}**: ${files}${more}`;
    })
    .join('\n\n');
}
