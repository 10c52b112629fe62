import { BUILTIN_AGENTS, agentEnvironment } from '../../core/agents/catalog';
import type { ResumableRecord, SessionRecord } from '../../core/store/records';
import type { CommandContext, PickItem } from '../host';
import { agentCatalog } from './agentCatalog';
import { attachIfWanted } from './launchSession';
import { WorkspaceError } from '../../core/errors';
import { whyNotResumable } from '../../core/lifecycle/SessionRestore';
import { answered, during } from './failures';
import type { CommandTarget } from './targets';

interface ResumablePick extends PickItem {
  readonly resumable: ResumableRecord;
}

/**
 * Resume Agent: relaunches an agent that stopped without exiting (after a
 * reboot) in its worktree, continuing its recorded conversation, with the
 * variables its catalog entry names.
 */
export async function resumeAgent(context: CommandContext, target: CommandTarget): Promise<SessionRecord | undefined> {
  const resumable = await resolveResumable(context, target, 'Resume Agent');
  if (!resumable) return undefined;
  return during(`Resume ${resumable.label}`, async () => {
    const session = await context.lifecycle.resumeAgent(resumable.key, { environment: await resumeEnvironment(context, resumable) });
    await attachIfWanted(context, session);
    return session;
  }, context.lifecycle.workspace(resumable.workspaceId)?.branch);
}

/** The variables an agent's catalog entry names, for its resume. */
export async function resumeEnvironment(context: CommandContext, resumable: ResumableRecord): Promise<Readonly<Record<string, string>> | undefined> {
  if (!resumable.agentId) return undefined;
  // The launch already warned about bad entries and untrusted ones; a resume stays quiet.
  const catalog = await agentCatalog(context, resumable.workspaceId, { quiet: true });
  const agent = [...catalog, ...BUILTIN_AGENTS].find((entry) => entry.id === resumable.agentId);
  return agent ? agentEnvironment(agent, context.environment) : undefined;
}

/** Dismiss: forgets a stopped session's row (and its saved output). */
export async function dismissResumable(context: CommandContext, target: CommandTarget): Promise<void> {
  const resumable = await resolveResumable(context, target, 'Dismiss Resumable Agent');
  if (!resumable) return;
  await during(`Dismiss ${resumable.label}`, () => context.lifecycle.dismissResumable(resumable.key));
}

async function resolveResumable(context: CommandContext, target: CommandTarget, title: string): Promise<ResumableRecord | undefined> {
  const key = typeof target === 'string' ? target : target?.kind === 'resumable' ? target.resumableKey : undefined;
  if (key) {
    const found = context.lifecycle.resumable(key);
    if (!found) throw new WorkspaceError('gone', 'That agent is no longer resumable.');
    return found;
  }
  const views = await context.lifecycle.listWorkspaces();
  const picks: ResumablePick[] = views.flatMap((view) =>
    (view.resumable ?? []).filter((resumable) => title !== 'Resume Agent' || (resumable.kind !== 'shell' && whyNotResumable(resumable) === undefined)).map((resumable) => ({ label: `$(debug-restart) ${resumable.label}`, description: view.record.branch, detail: resumable.kind === 'shell' ? 'shell' : resumable.conversationId ? `conversation ${resumable.conversationId}` : `not resumable: ${whyNotResumable(resumable)}`, resumable })),
  );
  if (picks.length === 0) {
    void context.host.info(title === 'Resume Agent' ? 'No agent is waiting to be resumed.' : 'No stopped session is waiting.');
    return undefined;
  }
  return answered(await context.host.pick(picks, { title, placeHolder: 'Pick the agent' })).resumable;
}
