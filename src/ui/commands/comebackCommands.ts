import type { RestoreOutcome, RestorePlan, RestoreScope } from '../../core/lifecycle/Comeback';
import type { SavedScrollback } from '../../core/scrollback/ScrollbackFiles';
import { whyNotResumable } from '../../core/lifecycle/SessionRestore';
import { localTime } from '../../core/time';
import type { CommandContext, PickItem } from '../host';
import { count } from '../words';
import { answered, during } from './failures';
import { resumeEnvironment } from './resumeCommands';
import type { CommandTarget } from './targets';

/** `tmuxWorkspaces.restoreOnStartup`: what a window does when it finds records but no tmux server. */
export type RestoreOnStartup = 'ask' | 'always' | 'never';

export const RESTORE_ACTION = 'Restore Sessions';

interface OutputPick extends PickItem {
  readonly saved: SavedScrollback;
}

/**
 * Restore Sessions: base terminals and shells at their folders with their
 * scrollback, agents resumed in their conversations. On a workspace row,
 * that workspace; on a stopped row, that session; else everything.
 */
export async function restoreSessions(context: CommandContext, target: CommandTarget, options: { automatic?: boolean } = {}): Promise<RestoreOutcome> {
  const outcome = await during('Restore sessions', () =>
    context.host.withProgress('Restoring sessions…', () => context.lifecycle.comeback.restore(restoreScope(target), (stopped) => resumeEnvironment(context, stopped))),
  );
  const nothing = outcome.busy || outcome.bases.length + outcome.sessions.length + outcome.notResumable.length + outcome.failures.length === 0;
  // Unasked, another window having done it all is nothing to tell.
  if (!(options.automatic && nothing)) report(context, outcome);
  return outcome;
}

/**
 * Activation found the records of sessions that are gone with their tmux
 * server: restore them (`always`), offer it (`ask`), or leave the rows (`never`).
 * `claimOffer` resolves true in one window of those that start together (after
 * a reboot every open window does), so the offer is shown once; absent, here.
 */
export async function offerRestore(context: CommandContext, mode: RestoreOnStartup, claimOffer?: () => Promise<boolean>): Promise<RestoreOutcome | undefined> {
  const plan = await context.lifecycle.comeback.plan();
  if (!plan.serverGone || describePlan(plan) === '') return undefined;
  context.log.info(`[Restore] tmux is not running; ${describePlan(plan)} could come back (restoreOnStartup: ${mode})`);
  if (mode === 'never') return undefined;
  if (mode === 'ask') {
    if (claimOffer && !(await claimOffer())) {
      context.log.info('[Restore] another window offers it; the rows here keep Restore Sessions');
      return undefined;
    }
    const choice = await context.host.info(`tmux stopped (a restart or kill-server): ${describePlan(plan)} can come back.`, RESTORE_ACTION);
    if (choice !== RESTORE_ACTION) return undefined;
  }
  return restoreSessions(context, undefined, { automatic: mode === 'always' });
}

/** Show Previous Output: what a session (or a workspace's terminal) printed last, as saved, read-only. */
export async function showPreviousOutput(context: CommandContext, target: CommandTarget): Promise<void> {
  const saved = await resolveOutput(context, target);
  if (!saved) return;
  await context.host.showText(`${saved.label} — output saved ${localTime(saved.savedAt)}`, saved.text);
}

async function resolveOutput(context: CommandContext, target: CommandTarget): Promise<SavedScrollback | undefined> {
  const { comeback } = context.lifecycle;
  const name = outputName(context, target);
  if (name) {
    const saved = await comeback.previousOutput(name);
    if (!saved) void context.host.info('No output was saved for it.');
    return saved;
  }
  // A string (from the API or a keybinding) names a session's output, else a workspace.
  const named = typeof target === 'string' ? await comeback.previousOutput(target) : undefined;
  if (named) return named;
  const workspaceId = typeof target === 'string' ? target : target?.kind === 'workspace' ? target.workspaceId : undefined;
  const ids = workspaceId ? [workspaceId] : (await context.lifecycle.listWorkspaces()).map((view) => view.record.id);
  const picks: OutputPick[] = [];
  for (const id of ids) {
    const branch = context.lifecycle.workspace(id)?.branch ?? id;
    for (const saved of await comeback.outputsOf(id)) picks.push({ label: saved.label, description: branch, detail: `saved ${localTime(saved.savedAt)}`, saved });
  }
  if (picks.length === 0) {
    void context.host.info('No output was saved yet.');
    return undefined;
  }
  if (picks.length === 1) return picks[0].saved;
  return answered(await context.host.pick(picks, { title: 'Show Previous Output', placeHolder: 'Pick a terminal' })).saved;
}

/** The tmux name whose output a row stands for: a session, a stopped session, a base terminal. */
function outputName(context: CommandContext, target: CommandTarget): string | undefined {
  if (!target || typeof target === 'string') return undefined;
  if (target.kind === 'session') return context.lifecycle.session(target.sessionKey)?.tmuxName ?? target.sessionKey;
  if (target.kind === 'resumable') return target.resumableKey;
  if (target.kind === 'base') return context.lifecycle.workspace(target.workspaceId)?.baseSession;
  return undefined;
}

function restoreScope(target: CommandTarget): RestoreScope {
  if (typeof target === 'string') return { workspaceId: target };
  if (target?.kind === 'resumable') return { key: target.resumableKey };
  if (target?.kind === 'workspace' || target?.kind === 'base') return { workspaceId: target.workspaceId };
  return {};
}

/** What would come back, in words (`2 terminals, 1 shell, 1 agent`); empty when nothing would. */
export function describePlan(plan: RestorePlan): string {
  const shells = plan.stopped.filter((stopped) => stopped.kind === 'shell').length;
  const agents = plan.stopped.filter((stopped) => stopped.kind !== 'shell' && whyNotResumable(stopped) === undefined).length;
  const parts = [count(plan.bases.length, 'terminal'), count(shells, 'shell'), count(agents, 'agent')].filter((part) => !part.startsWith('0 '));
  return parts.join(', ');
}

/** What came back, and what could not (with why). */
export function restoreSummary(outcome: RestoreOutcome): { message: string; level: 'info' | 'warn' } {
  if (outcome.busy) return { message: 'Another window is restoring the sessions.', level: 'info' };
  const back = outcome.bases.length + outcome.sessions.length;
  const lines = [back === 0 ? 'Nothing was left to restore.' : `Restored ${count(outcome.bases.length, 'terminal')} and ${count(outcome.sessions.length, 'session')}.`];
  for (const { record, why } of outcome.notResumable) lines.push(`${record.label} is not resumable: ${why}.`);
  for (const failure of outcome.failures) lines.push(`${failure.label} failed: ${failure.message}`);
  return { message: lines.join(' '), level: outcome.failures.length + outcome.notResumable.length > 0 ? 'warn' : 'info' };
}

function report(context: CommandContext, outcome: RestoreOutcome): void {
  const { message, level } = restoreSummary(outcome);
  context.log.info(`[Restore] ${message}`);
  void (level === 'warn' ? context.host.warn(message) : context.host.info(message));
}
