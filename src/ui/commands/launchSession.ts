import { agentArgv, agentEnvironment, availableAgents, type AgentDefinition } from '../../core/agents/catalog';
import type { SessionRecord } from '../../core/store/records';
import type { CommandContext, PickItem } from '../host';
import { reporting } from './report';
import { resolveWorkspace, type CommandTarget } from './targets';

interface AgentPick extends PickItem {
  readonly agent: AgentDefinition;
}

/** Launch Agent: pick from the catalog (built-ins found on PATH plus configured ones), launch, and attach by setting. */
export async function launchAgent(context: CommandContext, target: CommandTarget): Promise<SessionRecord | undefined> {
  const view = await resolveWorkspace(context, target, 'Launch Agent', ['ready']);
  if (!view) return undefined;
  return launchAgentIn(context, view.record.id);
}

export async function launchAgentIn(context: CommandContext, workspaceId: string): Promise<SessionRecord | undefined> {
  const { host } = context;
  const catalog = context.settings.agents();
  if (catalog.problems.length > 0) void host.warn(catalog.problems.join(' '));
  if (catalog.blockedByTrust) void host.warn('Agents defined in this workspace\'s settings are not offered: the workspace is not trusted.');
  const agents = await availableAgents(catalog.agents, context.environment.PATH);
  if (agents.length === 0) {
    void host.warn('No coding agent was found on PATH (claude, codex, gemini, opencode, aider). Install one, or add your own in the "tmuxWorkspaces.agents" setting.');
    return undefined;
  }
  const picked = await host.pick<AgentPick>(
    agents.map((agent) => ({ label: agent.label, description: [agent.command, ...agent.args].join(' '), agent })),
    { title: 'Launch Agent', placeHolder: 'Pick the agent to run in this workspace' },
  );
  if (!picked) return undefined;
  const { agent } = picked;
  return reporting(host, `Launch ${agent.label}`, async () => {
    const command = await agentArgv(agent, context.environment.PATH);
    const session = await context.lifecycle.launchSession(workspaceId, {
      kind: 'agent',
      agentId: agent.id,
      label: agent.label,
      command,
      environment: agentEnvironment(agent, context.environment),
    });
    await attachIfWanted(context, session);
    return session;
  });
}

/** Launch Shell: the workspace's one shell session, started if it is not running. */
export async function launchShell(context: CommandContext, target: CommandTarget): Promise<SessionRecord | undefined> {
  const view = await resolveWorkspace(context, target, 'Launch Shell', ['ready']);
  if (!view) return undefined;
  return reporting(context.host, 'Launch shell', async () => {
    const session = await context.lifecycle.launchSession(view.record.id, { kind: 'shell', label: 'shell' });
    await attachIfWanted(context, session);
    return session;
  });
}

async function attachIfWanted(context: CommandContext, session: SessionRecord): Promise<void> {
  if (!context.settings.attachOnLaunch()) return;
  const target = await context.lifecycle.attachTarget({ sessionKey: session.key });
  const workspace = context.lifecycle.workspace(session.workspaceId);
  context.host.attachTerminal({
    tmuxName: target.tmuxName,
    title: `${session.label} · ${workspace?.branch ?? ''}`,
    argv: target.argv,
    cwd: workspace?.worktreePath,
  });
}
