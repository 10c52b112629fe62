import { isAbsolute, relative } from 'node:path';
import { WorkspaceError } from '../../core/errors';
import type { SessionView, WorkspaceView } from '../../core/lifecycle/RuntimeLifecycle';
import type { CommandContext, EditorSelection, PickItem } from '../host';
import { count } from '../words';
import { Cancelled, answered, during } from './failures';
import type { CommandTarget } from './targets';

interface AgentPick extends PickItem {
  readonly workspace: WorkspaceView;
  readonly session: SessionView;
}

/** The selection as an agent reads it: where it is (relative to the worktree when inside one), then the text fenced. */
export function selectionMessage(selection: EditorSelection, worktreePath: string | undefined, note: string): string {
  const where = worktreePath && within(worktreePath, selection.path) ? relative(worktreePath, selection.path) : selection.path;
  const lines = selection.startLine === selection.endLine ? `${selection.startLine}` : `${selection.startLine}-${selection.endLine}`;
  const fence = selection.text.includes('```') ? '````' : '```';
  const body = `${where}:${lines}\n${fence}\n${selection.text.replace(/\n$/, '')}\n${fence}`;
  return note.trim() ? `${body}\n${note.trim()}` : body;
}

/**
 * Send to Agent: the active editor's selection (with its file and lines) and
 * an optional note, to a running agent: the one of the workspace whose
 * worktree holds the file when there is one, else picked.
 */
export async function sendSelectionToAgent(context: CommandContext, target: CommandTarget): Promise<'sent' | 'queued' | undefined> {
  const selection = context.host.activeSelection();
  if (!selection || selection.text.trim() === '') {
    throw new WorkspaceError('refused', 'Select some text in an editor first: Send to Agent sends the selection with its file and lines.');
  }
  const chosen = await pickAgent(context, target, 'Send to Agent', selection.path);
  if (!chosen) return undefined;
  const note = await context.host.input({
    title: `Send to ${chosen.session.record.label}`,
    prompt: 'A note to send with the selection (optional), e.g. what to do with it. Enter sends.',
    validate: () => undefined,
  });
  if (note === undefined) throw new Cancelled();
  return send(context, chosen, selectionMessage(selection, chosen.workspace.record.worktreePath, note));
}

/** Send Message: a typed message to the agent of the row (or a picked one). */
export async function sendMessageToAgent(context: CommandContext, target: CommandTarget): Promise<'sent' | 'queued' | undefined> {
  const chosen = await pickAgent(context, target, 'Send Message to Agent');
  if (!chosen) return undefined;
  const text = await context.host.input({
    title: `Send to ${chosen.session.record.label}`,
    prompt: 'Pasted into the agent as one paste, then Enter; while it works, it waits until the agent is free.',
    multiline: true,
    validate: () => undefined,
  });
  if (text === undefined || text.trim() === '') throw new Cancelled();
  return send(context, chosen, text);
}

/** Cancel Queued Messages: the messages still waiting for an agent are dropped. */
export async function cancelQueuedMessages(context: CommandContext, target: CommandTarget): Promise<number> {
  const chosen = await pickAgent(context, target, 'Cancel Queued Messages');
  if (!chosen) return 0;
  const cancelled = await context.lifecycle.agentInput.cancelQueued(chosen.session.record.key);
  void context.host.info(cancelled > 0 ? `Cancelled ${count(cancelled, 'queued message')} for ${chosen.session.record.label}.` : `Nothing was waiting for ${chosen.session.record.label}.`);
  return cancelled;
}

async function send(context: CommandContext, chosen: AgentPick, text: string): Promise<'sent' | 'queued'> {
  const { record } = chosen.session;
  const busy = context.agentState?.(record.key) === 'working';
  const outcome = await during(`Send to ${record.label}`, () => context.lifecycle.agentInput.sendToAgent(record.key, text, { agentBusy: busy }), chosen.workspace.record.branch);
  void context.host.info(outcome === 'sent'
    ? `Sent to ${record.label} in "${chosen.workspace.record.branch}".`
    : `Queued for ${record.label} in "${chosen.workspace.record.branch}": it is sent when the agent stops working.`);
  return outcome;
}

/** The running agent a message goes to: the row's, the only one of the file's workspace, or a pick (that workspace's first). */
async function pickAgent(context: CommandContext, target: CommandTarget, title: string, filePath?: string): Promise<AgentPick | undefined> {
  const views = await context.lifecycle.listWorkspaces();
  const picks: AgentPick[] = views.flatMap((workspace) =>
    workspace.sessions
      .filter((session) => session.alive && session.record.kind === 'agent')
      .map((session) => ({ label: `$(hubot) ${session.record.label}`, description: workspace.record.branch, workspace, session })),
  );
  const key = typeof target === 'string' ? target : target?.kind === 'session' ? target.sessionKey : undefined;
  if (key !== undefined) {
    const found = picks.find((pick) => pick.session.record.key === key);
    if (!found) throw new WorkspaceError('gone', 'That agent is no longer running.');
    return found;
  }
  if (picks.length === 0) {
    void context.host.info('No agent is running. Launch one in a workspace first (Launch Agent…).');
    return undefined;
  }
  const home = filePath ? picks.filter((pick) => within(pick.workspace.record.worktreePath, filePath)) : [];
  if (home.length === 1) return home[0];
  const ordered = [...home, ...picks.filter((pick) => !home.includes(pick))];
  return answered(await context.host.pick(ordered, { title, placeHolder: 'Pick the agent to send it to' }));
}

function within(folder: string, path: string): boolean {
  const inner = relative(folder, path);
  return !inner.startsWith('..') && !isAbsolute(inner);
}
