import type { AgentDefinition } from '../../core/agents/catalog';
import { errorMessage } from '../../core/errors';
import type { CommandContext } from '../host';

/**
 * The agents a workspace offers: its repository's project file's, then the
 * user's `tmuxWorkspaces.agents` (an entry with the same id wins). Problems
 * and what trust held back are warned about (unless `quiet`), not fatal.
 */
export async function agentCatalog(context: CommandContext, workspaceId: string, options: { quiet?: boolean } = {}): Promise<AgentDefinition[]> {
  const { host } = context;
  const settings = context.settings.agents();
  const project = await context.lifecycle.projectAgents(workspaceId).catch((error: unknown) => {
    if (!options.quiet) throw error;
    // A resume goes on without the file's agents: a bad file is reported where agents are picked.
    context.log.warn(`Reading the project file's agents: ${errorMessage(error)}`);
    return { agents: [], blockedByTrust: false };
  });
  const warn = (message: string) => (options.quiet ? context.log.debug(message) : void host.warn(message));
  if (settings.problems.length > 0) warn(settings.problems.join(' '));
  const held = [settings.blockedByTrust && 'this workspace\'s settings', project.blockedByTrust && 'the repository\'s .tmux-workspaces.json'].filter(Boolean);
  if (held.length > 0) warn(`Agents defined in ${held.join(' and ')} are not offered: the workspace is not trusted.`);
  const own = new Set(settings.agents.map((agent) => agent.id));
  return [...project.agents.filter((agent) => !own.has(agent.id)), ...settings.agents];
}
