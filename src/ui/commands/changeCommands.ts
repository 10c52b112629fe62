import { join } from 'node:path';
import { WorkspaceError } from '../../core/errors';
import type { ChangedFile } from '../../core/git/WorktreeChanges';
import type { CommandContext, FileDiff } from '../host';
import { during } from './failures';
import { resolveWorkspace, type CommandTarget } from './targets';

/** Where a file's diff sides come from: the workspace's base commit on the left, the worktree on the right. */
export function fileDiff(workspace: { id: string; worktreePath: string; baseBranch: string }, baseCommit: string, file: ChangedFile): FileDiff {
  const resource = join(workspace.worktreePath, file.path);
  const basePath = file.oldPath ?? file.path;
  const left = { kind: 'commit', workspaceId: workspace.id, commit: baseCommit, path: basePath, resource: join(workspace.worktreePath, basePath) } as const;
  const right = file.kind === 'deleted' ? ({ kind: 'empty', resource } as const) : ({ kind: 'file', path: resource } as const);
  const name = file.oldPath ? `${file.oldPath} → ${file.path}` : file.path;
  return { title: `${name} (${workspace.baseBranch} ↔ worktree)`, resource, left, right };
}

/** Open Change: a changed file's row opens its diff (base ↔ worktree). */
export async function openChange(context: CommandContext, target: CommandTarget): Promise<void> {
  if (typeof target !== 'object' || target.kind !== 'changedFile') throw new WorkspaceError('refused', 'Open Change works on a file under a workspace\'s Changes.');
  const record = context.lifecycle.workspace(target.workspaceId);
  if (!record) throw new WorkspaceError('gone', 'That workspace no longer exists.');
  await context.host.openDiff(fileDiff(record, target.baseCommit, target.file));
}

/**
 * Open All Changes: every file the workspace changed against its base, in the
 * multi-file diff editor, counted afresh (the tree's count may be a moment old).
 */
export async function openAllChanges(context: CommandContext, target: CommandTarget): Promise<void> {
  const view = await resolveWorkspace(context, target, 'Open All Changes', ['ready']);
  if (!view) return;
  const { record } = view;
  await during('Open all changes', async () => {
    const changes = await context.lifecycle.worktreeChanges(record.id);
    if (!changes) throw new WorkspaceError('gone', `The worktree of "${record.branch}" is missing, so there are no changes to show.`);
    if (changes.files.length === 0) {
      void context.host.info(`"${record.branch}" has no changes against ${record.baseBranch}.`);
      return;
    }
    const diffs = changes.files.map((file) => fileDiff(record, changes.baseCommit, file));
    await context.host.openDiffs(`${record.branch} ↔ ${record.baseBranch}`, diffs);
  }, record.branch);
}
