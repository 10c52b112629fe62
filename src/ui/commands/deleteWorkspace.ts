import type { WorkspaceStatus } from '../../core/store/records';
import type { CommandContext } from '../host';
import { count } from '../words';
import { Cancelled, during } from './failures';
import { resolveWorkspace, type CommandTarget } from './targets';

const SHOWN_FILES = 8;

/**
 * Delete Workspace: a modal that says what goes (worktree, branch, sessions).
 * When the worktree has uncommitted or untracked files or unpushed commits,
 * it lists the first of them with a count and offers Delete Anyway, which is
 * the only way to the force path. Resolves to whether it deleted the
 * workspace; answering Cancel throws `Cancelled`.
 */
export async function deleteWorkspace(
  context: CommandContext,
  target: CommandTarget,
  statuses: readonly WorkspaceStatus[] = ['ready', 'error', 'deletion_failed'],
): Promise<boolean> {
  const { host, lifecycle } = context;
  const view = await resolveWorkspace(context, target, statuses.length === 1 && statuses[0] === 'deletion_failed' ? 'Retry Delete' : 'Delete Workspace', statuses);
  if (!view) return false;
  const { record } = view;
  const action = `Delete workspace "${record.branch}"`;
  const preview = await during(action, () => lifecycle.previewDelete(record.id), record.branch);
  const sessions = view.sessions.filter((session) => session.alive).length;
  const goes = [
    `the worktree folder ${record.worktreePath}`,
    record.createdBranch ? `the branch "${record.branch}"` : undefined,
    sessions > 0 ? `${count(sessions, 'running session')} and the base terminal` : 'the base terminal',
  ].filter(Boolean);
  const atRisk = preview.dirtyFiles.length > 0 || preview.unpushedCommits.length > 0;

  let force = false;
  if (atRisk) {
    const lines: string[] = [];
    if (preview.dirtyFiles.length > 0) {
      lines.push(`${count(preview.dirtyFiles.length, 'uncommitted or untracked file')}:`);
      lines.push(...preview.dirtyFiles.slice(0, SHOWN_FILES).map((file) => `  ${file}`));
      if (preview.dirtyFiles.length > SHOWN_FILES) lines.push(`  …and ${preview.dirtyFiles.length - SHOWN_FILES} more`);
    }
    if (preview.unpushedCommits.length > 0) {
      lines.push(`${count(preview.unpushedCommits.length, 'unpushed commit')}:`);
      lines.push(...preview.unpushedCommits.slice(0, SHOWN_FILES).map((commit) => `  ${commit}`));
      if (preview.unpushedCommits.length > SHOWN_FILES) lines.push(`  …and ${preview.unpushedCommits.length - SHOWN_FILES} more`);
    }
    lines.push('', `Deleting also removes ${goes.join(', ')}. This cannot be undone.`);
    const choice = await host.confirm(`Workspace "${record.branch}" has work that would be lost.`, lines.join('\n'), 'Delete Anyway');
    if (choice !== 'Delete Anyway') throw new Cancelled();
    force = true;
  } else {
    const choice = await host.confirm(`Delete workspace "${record.branch}"?`, `This removes ${goes.join(', ')}.`, 'Delete');
    if (choice !== 'Delete') throw new Cancelled();
  }

  await during(action, () => host.withProgress(`Deleting workspace ${record.branch}`, () => lifecycle.deleteWorkspace(record.id, { force })), record.branch);
  return true;
}
