import { existsSync } from 'node:fs';
import { WorkspaceError } from '../../core/errors';
import type { CommandContext } from '../host';
import { runRetrySetup } from './createWorkspace';
import { resolveWorkspace, type CommandTarget } from './targets';

/** Retry Setup: offered for workspaces whose setup failed or was interrupted, or skipped project steps (declined, untrusted). */
export async function retrySetup(context: CommandContext, target: CommandTarget): Promise<void> {
  const view = await resolveWorkspace(context, target, 'Retry Setup', ['error', 'ready']);
  if (!view) return;
  await runRetrySetup(context, view.record);
}

export async function openWorkspaceFolder(context: CommandContext, target: CommandTarget): Promise<void> {
  const view = await resolveWorkspace(context, target, 'Open Workspace Folder', ['ready', 'error', 'deletion_failed']);
  if (!view) return;
  if (!existsSync(view.record.worktreePath)) {
    throw new WorkspaceError('gone', `The worktree folder ${view.record.worktreePath} does not exist; retry setup or delete the workspace.`);
  }
  await context.host.openFolderInNewWindow(view.record.worktreePath);
}

export async function showSetupLog(context: CommandContext, target: CommandTarget): Promise<void> {
  const view = await resolveWorkspace(context, target, 'Show Setup Log');
  if (!view) return;
  const log = view.record.setupLog;
  if (!log || !existsSync(log)) {
    void context.host.info(`Workspace "${view.record.branch}" has no setup log: no setup command has run for it.`);
    return;
  }
  await context.host.openFile(log);
}
