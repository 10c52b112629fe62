import { refused } from '../../core/errors';
import { agentArgv, agentEnvironment, availableAgents, type AgentDefinition } from '../../core/agents/catalog';
import { normalizePrompt, promptProblem } from '../../core/agents/PromptDelivery';
import { resumeTemplate } from '../../core/agents/resume';
import type { SessionRecord } from '../../core/store/records';
import type { CommandContext, PickItem } from '../host';
import { SECTION, SettingKey } from '../ids';
import { count, terminalTitle } from '../words';
import { Cancelled, answered, during } from './failures';
import { resolveWorkspace, type CommandTarget } from './targets';
import { typedPromptPick, type PromptPick } from './typedPicks';
import { agentCatalog } from './agentCatalog';

const AGENTS_SETTING = `${SECTION}.${SettingKey.agents}`;

interface AgentPick extends PickItem {
  readonly agent: AgentDefinition;
}

/**
 * Launch Agent: pick from the catalog (built-ins found on PATH plus configured
 * ones), launch, and attach by setting. With no agent at all, a warning offers
 * Open Settings at the agents setting.
 */
export async function launchAgent(context: CommandContext, target: CommandTarget): Promise<SessionRecord | undefined> {
  const view = await resolveWorkspace(context, target, 'Launch Agent', ['ready']);
  if (!view) return undefined;
  return launchAgentIn(context, view.record.id);
}

export async function launchAgentIn(context: CommandContext, workspaceId: string): Promise<SessionRecord | undefined> {
  const { host } = context;
  const agents = await availableAgents(await agentCatalog(context, workspaceId), context.environment.PATH);
  if (agents.length === 0) {
    const open = 'Open Settings';
    const choice = await host.warn(`No coding agent was found on PATH (claude, codex, gemini, opencode, aider). Install one, or add your own in the "${AGENTS_SETTING}" setting.`, open);
    if (choice === open) await host.openSettings(AGENTS_SETTING);
    return undefined;
  }
  const picked = await host.pick<AgentPick>(
    agents.map((agent) => ({ label: agent.label, description: [agent.command, ...agent.args].join(' '), agent })),
    { title: 'Launch Agent', placeHolder: 'Pick the agent to run in this workspace' },
  );
  const { agent } = answered(picked);
  const prompt = await askFirstPrompt(context, agent);
  return during(`Launch ${agent.label}`, async () => {
    const command = await agentArgv(agent, context.environment.PATH);
    const session = await context.lifecycle.launchSession(workspaceId, {
      kind: 'agent',
      agentId: agent.id,
      label: agent.label,
      command,
      environment: agentEnvironment(agent, context.environment),
      prompt,
      resumeArgv: resumeTemplate(agent, command[0]),
    });
    await attachIfWanted(context, session);
    return session;
  }, context.lifecycle.workspace(workspaceId)?.branch);
}

/**
 * The optional first prompt: none, typed into the picker or an input box, or
 * the text of the active untitled editor (for long ones). A prompt that cannot be sent is
 * refused here, before anything is launched. Throws `Cancelled` when the
 * user backs out.
 */
async function askFirstPrompt(context: CommandContext, agent: AgentDefinition): Promise<string | undefined> {
  const { host } = context;
  const untitled = host.activeUntitledText();
  const picks: PromptPick[] = [
    { label: '$(circle-slash) No first prompt', source: 'none' },
    { label: '$(edit) Type a prompt…', description: 'sent once the agent is ready for input', source: 'type' },
  ];
  if (untitled?.trim()) {
    const lines = untitled.split('\n').length;
    picks.push({ label: '$(file) Use the active untitled editor\'s text', description: count(lines, 'line'), source: 'untitled' });
  }
  const picked = answered(await host.pick(picks, {
    title: `Launch ${agent.label}: first prompt`,
    placeHolder: 'Type a first prompt, or pick',
    typedItem: typedPromptPick,
  }));
  if (picked.source === 'none') return undefined;
  if (picked.source === 'typed') return picked.text;
  if (picked.source === 'untitled') {
    const text = normalizePrompt(untitled ?? '');
    const problem = promptProblem(text);
    if (problem) throw refused(`The untitled editor's text cannot be the first prompt. ${problem} Nothing was launched.`);
    return text;
  }
  const typed = await host.input({
    title: `Launch ${agent.label}: first prompt`,
    prompt: 'Pasted into the agent once it is ready for input, then Enter. For several lines, write them in an untitled editor and pick its text instead.',
    multiline: true,
    validate: (value) => (value.trim() === '' ? undefined : promptProblem(normalizePrompt(value))),
  });
  if (typed === undefined) throw new Cancelled();
  return typed.trim() === '' ? undefined : normalizePrompt(typed);
}

/** Launch Shell: the workspace's one shell session, started if it is not running. */
export async function launchShell(context: CommandContext, target: CommandTarget): Promise<SessionRecord | undefined> {
  const view = await resolveWorkspace(context, target, 'Launch Shell', ['ready']);
  if (!view) return undefined;
  return during('Launch shell', async () => {
    const session = await context.lifecycle.launchSession(view.record.id, { kind: 'shell', label: 'shell' });
    await attachIfWanted(context, session);
    return session;
  }, view.record.branch);
}

export async function attachIfWanted(context: CommandContext, session: SessionRecord): Promise<void> {
  if (!context.settings.attachOnLaunch()) return;
  const target = await context.lifecycle.attachTarget({ sessionKey: session.key });
  const workspace = context.lifecycle.workspace(session.workspaceId);
  context.host.attachTerminal({
    tmuxName: target.tmuxName,
    title: workspace ? terminalTitle(workspace.branch, session.label) : session.label,
    argv: target.argv,
    cwd: workspace?.worktreePath,
  });
}
