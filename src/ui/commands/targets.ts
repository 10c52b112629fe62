import { WorkspaceError } from '../../core/errors';
import type { SessionView, WorkspaceView } from '../../core/lifecycle/RuntimeLifecycle';
import type { WorkspaceStatus } from '../../core/store/records';
import type { CommandContext, PickItem } from '../host';
import type { TreeNode } from '../tree/nodes';
import { statusWords } from '../words';
import { answered } from './failures';

/**
 * What a command was invoked on: a tree node, an id (from the API or a
 * keybinding's args), or nothing (from the palette: then the user picks).
 */
export type CommandTarget = TreeNode | string | undefined;

interface WorkspacePick extends PickItem {
  readonly view: WorkspaceView;
}

interface SessionPick extends PickItem {
  readonly workspace: WorkspaceView;
  readonly session?: SessionView;
}

export function targetWorkspaceId(target: CommandTarget): string | undefined {
  if (typeof target === 'string') return target;
  if (target && 'workspaceId' in target) return target.workspaceId;
  return undefined;
}

/** The workspace a command applies to, asking with a picker (limited to `statuses`) when none was given. */
export async function resolveWorkspace(
  context: CommandContext,
  target: CommandTarget,
  title: string,
  statuses?: readonly WorkspaceStatus[],
): Promise<WorkspaceView | undefined> {
  const views = await context.lifecycle.listWorkspaces();
  const id = targetWorkspaceId(target);
  if (id) {
    const view = views.find((candidate) => candidate.record.id === id);
    if (!view) throw new WorkspaceError('gone', 'That workspace no longer exists.');
    return view;
  }
  const candidates = views.filter((view) => !statuses || statuses.includes(view.record.status));
  if (candidates.length === 0) {
    void context.host.info(statuses ? `No workspace is ${statuses.map(statusWords).join(' or ')}.` : 'There are no workspaces yet.');
    return undefined;
  }
  const picked = await context.host.pick<WorkspacePick>(
    candidates.map((view) => ({
      label: view.record.branch,
      description: `${view.record.repoPath.split('/').pop()} · ${statusWords(view.record.status)}`,
      detail: view.record.worktreePath,
      view,
    })),
    { title, placeHolder: 'Pick a workspace' },
  );
  return answered(picked).view;
}

/**
 * A tmux target: a session node or key, a workspace node or id (its base
 * terminal), or a pick among every base terminal and live session.
 */
export async function resolveSessionOrBase(
  context: CommandContext,
  target: CommandTarget,
  title: string,
  options: { includeBase: boolean },
): Promise<{ workspace: WorkspaceView; session?: SessionView } | undefined> {
  const views = await context.lifecycle.listWorkspaces();
  if (target && typeof target !== 'string' && target.kind === 'session') {
    const workspace = views.find((view) => view.record.id === target.workspaceId);
    const session = workspace?.sessions.find((candidate) => candidate.record.key === target.sessionKey);
    if (!workspace || !session) throw new WorkspaceError('gone', 'That session has ended.');
    return { workspace, session };
  }
  if (typeof target === 'string') {
    for (const workspace of views) {
      const session = workspace.sessions.find((candidate) => candidate.record.key === target);
      if (session) return { workspace, session };
    }
  }
  const id = targetWorkspaceId(target);
  if (id && options.includeBase) {
    const workspace = views.find((view) => view.record.id === id);
    if (!workspace) throw new WorkspaceError('gone', 'That workspace no longer exists.');
    return { workspace };
  }
  const picks: SessionPick[] = [];
  for (const workspace of views.filter((view) => !id || view.record.id === id)) {
    if (options.includeBase && workspace.record.status === 'ready') {
      picks.push({ label: `$(terminal-tmux) ${workspace.record.branch}`, description: 'base terminal', workspace });
    }
    for (const session of workspace.sessions.filter((candidate) => candidate.alive)) {
      picks.push({ label: `$(${session.record.kind === 'shell' ? 'terminal' : 'hubot'}) ${session.record.label}`, description: workspace.record.branch, workspace, session });
    }
  }
  if (picks.length === 0) {
    void context.host.info(options.includeBase ? 'There is nothing to attach to yet.' : 'No session is running.');
    return undefined;
  }
  const picked = answered(await context.host.pick(picks, { title, placeHolder: 'Pick a terminal' }));
  return { workspace: picked.workspace, session: picked.session };
}
