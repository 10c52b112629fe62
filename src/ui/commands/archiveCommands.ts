import { andList } from '../../core/prose';
import type { DeletePreview } from '../../core/lifecycle/types';
import type { CommandContext } from '../host';
import { count } from '../words';
import { runRestore } from './createWorkspace';
import { deleteWorkspace, guardedRun } from './deleteWorkspace';
import { during } from './failures';
import { resolveWorkspace, type CommandTarget } from './targets';

/**
 * Archive Workspace: the delete modal's guard (Keep Workspace first, what
 * Enter picks, when there is work to lose), then stop its sessions and remove
 * the worktree; the branch and an Archived row are kept.
 */
export async function archiveWorkspace(context: CommandContext, target: CommandTarget): Promise<void> {
  const { host, lifecycle } = context;
  const view = await resolveWorkspace(context, target, 'Archive Workspace', ['ready', 'error', 'archive_failed']);
  if (!view) return;
  const { record } = view;
  const action = `Archive workspace "${record.branch}"`;
  const preview = await during(action, () => lifecycle.previewDelete(record.id), record.branch);
  const sessions = view.sessions.filter((session) => session.alive).length;
  const goes = [`the worktree folder ${record.worktreePath}`, sessions > 0 ? count(sessions, 'running session') : undefined, 'the base terminal'].filter(
    (part): part is string => part !== undefined,
  );
  const run = (options: { force: boolean; expected?: DeletePreview }) =>
    host.withProgress(`Archiving workspace ${record.branch}`, () => lifecycle.archiveWorkspace(record.id, options));
  const refresh = () => lifecycle.previewDelete(record.id);
  const setupLog = () => lifecycle.workspace(record.id)?.setupLog;
  await guardedRun(context, { action, branch: record.branch, preview, verb: 'Archive', doing: 'Archiving', removes: `${andList(goes)} (the branch "${record.branch}" is kept)`, keep: 'Keep Workspace', run, refresh, setupLog });
  void host.info(`Workspace "${record.branch}" is archived; its branch is kept. Restore it from the Archived group.`);
}

/** Restore: a new worktree on the archived workspace's branch, then its setup again. */
export async function restoreWorkspace(context: CommandContext, target: CommandTarget): Promise<void> {
  const view = await resolveWorkspace(context, target, 'Restore Workspace', ['archived']);
  if (!view) return;
  await runRestore(context, view.record);
}

/** Delete on an archived row: its record and the branch it created, under the unpushed-commit guard. */
export async function deleteArchived(context: CommandContext, target: CommandTarget): Promise<void> {
  await deleteWorkspace(context, target, ['archived', 'archive_failed']);
}
