import type { CommandContext } from '../host';
import { reporting } from './report';
import { resolveSessionOrBase, type CommandTarget } from './targets';

/** Attach: opens (or focuses) the terminal for a session, or the base terminal, recreating a missing base first. */
export async function attach(context: CommandContext, target: CommandTarget): Promise<void> {
  const chosen = await resolveSessionOrBase(context, target, 'Attach', { includeBase: true });
  if (!chosen) return;
  const { workspace, session } = chosen;
  await reporting(context.host, 'Attach', async () => {
    const attachTarget = await context.lifecycle.attachTarget(session ? { sessionKey: session.record.key } : { workspaceId: workspace.record.id });
    context.host.attachTerminal({
      tmuxName: attachTarget.tmuxName,
      title: session ? `${session.record.label} · ${workspace.record.branch}` : workspace.record.branch,
      argv: attachTarget.argv,
      cwd: workspace.record.worktreePath,
    });
  });
}

/** Stop Session: an agent is asked about first (its work in progress ends with it); a shell stops at once. */
export async function stopSession(context: CommandContext, target: CommandTarget): Promise<boolean> {
  const chosen = await resolveSessionOrBase(context, target, 'Stop Session', { includeBase: false });
  if (!chosen?.session) return false;
  const { record } = chosen.session;
  if (record.kind === 'agent') {
    const choice = await context.host.confirm(`Stop ${record.label} in "${chosen.workspace.record.branch}"?`, 'The agent process ends; anything it has not saved is lost.', 'Stop');
    if (choice !== 'Stop') return false;
  }
  return (await reporting(context.host, `Stop ${record.label}`, async () => {
    await context.lifecycle.stopSession(record.key);
    return true;
  })) ?? false;
}

/** Copy Attach Command: the exact command to attach from any terminal. */
export async function copyAttachCommand(context: CommandContext, target: CommandTarget): Promise<string | undefined> {
  const chosen = await resolveSessionOrBase(context, target, 'Copy Attach Command', { includeBase: true });
  if (!chosen) return undefined;
  const { workspace, session } = chosen;
  return reporting(context.host, 'Copy attach command', async () => {
    const attachTarget = await context.lifecycle.attachTarget(session ? { sessionKey: session.record.key } : { workspaceId: workspace.record.id });
    const line = context.lifecycle.attachCommandLine(attachTarget);
    await context.host.copyToClipboard(line);
    void context.host.info(`Copied: ${line}`);
    return line;
  });
}
