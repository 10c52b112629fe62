import { WorkspaceError } from '../../core/errors';
import type { SessionView, WorkspaceView } from '../../core/lifecycle/RuntimeLifecycle';
import type { CommandContext, PickItem } from '../host';
import { answered, during } from './failures';
import type { CommandTarget } from './targets';

interface UnsentPick extends PickItem {
  readonly workspace: WorkspaceView;
  readonly session: SessionView;
}

/** A first prompt that was given up, or may not have arrived, is kept for these two commands. */
function unsent(session: SessionView): boolean {
  const state = session.record.prompt?.state;
  return state === 'failed' || state === 'unknown';
}

/** The session a prompt command is about: its row, its key, or a pick among those with an unsent prompt. */
async function resolveUnsent(context: CommandContext, target: CommandTarget, title: string): Promise<UnsentPick | undefined> {
  const views = await context.lifecycle.listWorkspaces();
  const picks: UnsentPick[] = views.flatMap((workspace) =>
    workspace.sessions.filter(unsent).map((session) => ({ label: `$(hubot) ${session.record.label}`, description: workspace.record.branch, workspace, session })),
  );
  const key = typeof target === 'string' ? target : target?.kind === 'session' ? target.sessionKey : undefined;
  if (key !== undefined) {
    const found = picks.find((pick) => pick.session.record.key === key);
    if (!found) throw new WorkspaceError('gone', 'That agent has no unsent first prompt any more.');
    return found;
  }
  if (picks.length === 0) {
    void context.host.info('No agent has a first prompt that was not sent.');
    return undefined;
  }
  return answered(await context.host.pick(picks, { title, placeHolder: 'Pick the agent whose first prompt was not sent' }));
}

/** Send First Prompt Again: pastes the kept prompt now (the user says the agent is ready). */
export async function sendPromptAgain(context: CommandContext, target: CommandTarget): Promise<void> {
  const chosen = await resolveUnsent(context, target, 'Send First Prompt Again');
  if (!chosen) return;
  const { record } = chosen.session;
  await during(`Send the first prompt to ${record.label}`, () => context.lifecycle.agentInput.sendPromptAgain(record.key), chosen.workspace.record.branch);
  if (context.lifecycle.session(record.key)?.prompt?.state === 'delivered') void context.host.info(`Sent the first prompt to ${record.label} in "${chosen.workspace.record.branch}".`);
}

/** Copy First Prompt: the kept prompt to the clipboard, to paste by hand. */
export async function copyPrompt(context: CommandContext, target: CommandTarget): Promise<void> {
  const chosen = await resolveUnsent(context, target, 'Copy First Prompt');
  if (!chosen) return;
  const { record } = chosen.session;
  const text = await context.lifecycle.agentInput.unsentPrompt(record.key);
  if (text === undefined) throw new WorkspaceError('gone', `The first prompt of ${record.label} is no longer kept.`);
  await context.host.copyToClipboard(text);
  void context.host.info(`Copied the first prompt of ${record.label} (${text.length} characters).`);
}
