import type { CommandContext } from '../host';
import { terminalTitle } from '../words';
import { Cancelled, during } from './failures';
import { resolveSessionOrBase, type CommandTarget } from './targets';

/** Attach: opens (or focuses) the terminal for a session, or the base terminal, recreating a missing base terminal first. */
export async function attach(context: CommandContext, target: CommandTarget): Promise<void> {
  const chosen = await resolveSessionOrBase(context, target, 'Attach', { includeBase: true });
  if (!chosen) return;
  const { workspace, session } = chosen;
  await during('Attach', async () => {
    const attachTarget = await context.lifecycle.attachTarget(session ? { sessionKey: session.record.key } : { workspaceId: workspace.record.id });
    context.host.attachTerminal({
      tmuxName: attachTarget.tmuxName,
      title: terminalTitle(workspace.record.branch, session?.record.label),
      argv: attachTarget.argv,
      cwd: workspace.record.worktreePath,
    });
  }, workspace.record.branch);
}

/** Stop Session: an agent is asked about first (its work in progress ends with it); a shell stops at once. Resolves to whether it stopped one. */
export async function stopSession(context: CommandContext, target: CommandTarget): Promise<boolean> {
  const chosen = await resolveSessionOrBase(context, target, 'Stop Session', { includeBase: false });
  if (!chosen?.session) return false;
  const { record } = chosen.session;
  if (record.kind === 'agent') {
    const choice = await context.host.confirm(`Stop ${record.label} in "${chosen.workspace.record.branch}"?`, 'The agent process ends; anything it has not saved is lost.', 'Stop');
    if (choice !== 'Stop') throw new Cancelled();
  }
  await during(`Stop ${record.label}`, () => context.lifecycle.stopSession(record.key), chosen.workspace.record.branch);
  return true;
}

/** Copy Attach Command: the exact command to attach from any terminal. */
export async function copyAttachCommand(context: CommandContext, target: CommandTarget): Promise<string | undefined> {
  const chosen = await resolveSessionOrBase(context, target, 'Copy Attach Command', { includeBase: true });
  if (!chosen) return undefined;
  const { workspace, session } = chosen;
  return during('Copy attach command', async () => {
    const attachTarget = await context.lifecycle.attachTarget(session ? { sessionKey: session.record.key } : { workspaceId: workspace.record.id });
    const line = context.lifecycle.attachCommandLine(attachTarget);
    await context.host.copyToClipboard(line);
    void context.host.info(`Copied: ${line}`);
    return line;
  }, workspace.record.branch);
}
