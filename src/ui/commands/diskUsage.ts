import { sizeWords, type DiskSize } from '../../core/disk/DiskUsage';
import { WorkspaceError } from '../../core/errors';
import type { WorkspaceView } from '../../core/lifecycle/RuntimeLifecycle';
import type { CommandContext, PickItem } from '../host';
import { ago, count, statusWords } from '../words';
import { archiveWorkspace } from './archiveCommands';
import { deleteWorkspace } from './deleteWorkspace';
import { answered } from './failures';

const TITLE = 'Disk Usage';

interface UsagePick extends PickItem {
  readonly view: WorkspaceView;
}

interface ActionPick extends PickItem {
  readonly run: (context: CommandContext, workspaceId: string) => Promise<unknown>;
}

/** Statuses Archive Workspace accepts. */
const ARCHIVABLE = new Set(['ready', 'error', 'archive_failed']);

/**
 * Show Disk Usage: every workspace by its worktree's size, largest first,
 * with its age, measured now; picking one offers Archive and Delete, which run
 * the commands of those names (their guards and dialogs included).
 */
export async function showDiskUsage(context: CommandContext): Promise<void> {
  const { host, lifecycle, diskUsage } = context;
  if (!diskUsage) throw new WorkspaceError('unavailable', 'Disk usage cannot be measured in this window.');
  const views = await lifecycle.listWorkspaces();
  if (views.length === 0) {
    void host.info('There are no workspaces to measure.');
    return;
  }
  const measured = await host.withProgress(`Measuring ${count(views.length, 'workspace')}`, async () => {
    const sizes: { view: WorkspaceView; size?: DiskSize }[] = [];
    // One at a time: each walk reads a whole worktree (node_modules and all).
    for (const view of views) sizes.push({ view, size: view.folder ? await diskUsage.size(view.record.worktreePath, { fresh: true }) : undefined });
    return sizes.sort((a, b) => (b.size?.bytes ?? -1) - (a.size?.bytes ?? -1));
  });
  const total = measured.reduce((sum, { size }) => sum + (size?.bytes ?? 0), 0);
  const now = Date.now();
  const picks: UsagePick[] = measured.map(({ view, size }) => ({
    view,
    label: view.record.branch,
    description: [size ? sizeWords(size.bytes) : 'no worktree', `created ${ago(now - view.record.createdAt)}`, ...(view.record.status === 'ready' ? [] : [statusWords(view.record.status)])].join(' · '),
    detail: view.folder ? view.record.worktreePath : `${view.record.worktreePath} (not on disk)`,
  }));
  const picked = answered(await host.pick(picks, { title: `${TITLE}: ${sizeWords(total)} in ${count(views.length, 'workspace')}`, placeHolder: 'Pick a workspace to archive or delete' }));
  const { record } = picked.view;
  const actions: ActionPick[] = [
    ...(ARCHIVABLE.has(record.status) ? [{ label: 'Archive Workspace', description: 'remove the worktree, keep the branch', run: archiveWorkspace }] : []),
    { label: 'Delete Workspace', description: 'remove the worktree and the branch it made', run: (c: CommandContext, id: string) => deleteWorkspace(c, id) },
  ];
  const action = answered(await host.pick(actions, { title: `${TITLE}: ${record.branch}`, placeHolder: picked.description }));
  await action.run(context, record.id);
}
