import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { refused } from '../errors';

export interface AgentDefinition {
  readonly id: string;
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Names of environment variables the agent needs; only these reach its pane. */
  readonly env?: readonly string[];
  /** Arguments that resume a conversation, `{id}` standing for its id (built-ins: claude, codex). */
  readonly resumeArgs?: readonly string[];
}

export const BUILTIN_AGENTS: readonly AgentDefinition[] = [
  { id: 'claude', label: 'Claude Code', command: 'claude', args: [], env: ['ANTHROPIC_API_KEY'] },
  { id: 'codex', label: 'Codex', command: 'codex', args: [], env: ['OPENAI_API_KEY'] },
  { id: 'gemini', label: 'Gemini CLI', command: 'gemini', args: [], env: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] },
  { id: 'opencode', label: 'opencode', command: 'opencode', args: [], env: [] },
  { id: 'aider', label: 'Aider', command: 'aider', args: [], env: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'] },
];

/** How the file system says "no such executable here": missing, not executable, or a PATH entry that is no folder. */
const NOT_HERE = new Set(['ENOENT', 'EACCES', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EPERM']);

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch (error) {
    if (NOT_HERE.has((error as NodeJS.ErrnoException).code ?? '')) return false;
    throw error;
  }
}

/**
 * The absolute path of a command: absolute paths are taken as they are, bare
 * names are looked up on PATH. A relative path with a `/` is refused: it would
 * resolve inside the worktree, which is untrusted content.
 */
export async function resolveCommand(command: string, pathVariable = process.env.PATH ?? ''): Promise<string | undefined> {
  if (isAbsolute(command)) return (await isExecutableFile(command)) ? command : undefined;
  if (command.includes('/')) {
    throw refused(`Agent command "${command}" is a relative path; use a bare name found on PATH or an absolute path.`);
  }
  for (const dir of pathVariable.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The agents a user can launch: built-ins found on PATH, plus configured
 * entries (which replace a built-in with the same id). Configured entries are
 * offered even when not found, so a typo shows up as a clear launch error.
 */
export async function availableAgents(configured: readonly AgentDefinition[], pathVariable = process.env.PATH ?? ''): Promise<AgentDefinition[]> {
  const custom = new Map(configured.map((agent) => [agent.id, agent]));
  const builtins = await Promise.all(
    BUILTIN_AGENTS.filter((agent) => !custom.has(agent.id)).map(async (agent) => {
      // Built-in commands are bare names, so resolving one is never refused.
      const found = await resolveCommand(agent.command, pathVariable);
      return found ? agent : undefined;
    }),
  );
  return [...builtins.filter((agent): agent is AgentDefinition => agent !== undefined), ...custom.values()];
}

/** The argv to launch an agent with, its command resolved to an absolute path. */
export async function agentArgv(agent: AgentDefinition, pathVariable = process.env.PATH ?? ''): Promise<string[]> {
  const resolved = await resolveCommand(agent.command, pathVariable);
  if (!resolved) throw refused(`${agent.label}: "${agent.command}" was not found on PATH.`);
  return [resolved, ...agent.args];
}

/** The variables an agent names, taken from the given environment when set. */
export function agentEnvironment(agent: AgentDefinition, source: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of agent.env ?? []) {
    const value = source[name];
    if (value !== undefined) result[name] = value;
  }
  return result;
}

/** Accepts the `tmuxWorkspaces.agents` setting's entries that are well formed; reports the rest. */
export function parseAgentSettings(raw: unknown): { agents: AgentDefinition[]; problems: string[] } {
  const agents: AgentDefinition[] = [];
  const problems: string[] = [];
  if (!Array.isArray(raw)) return { agents, problems: raw === undefined ? [] : ['tmuxWorkspaces.agents must be an array.'] };
  raw.forEach((entry: unknown, index) => {
    const item = entry as Partial<Record<keyof AgentDefinition, unknown>>;
    if (!item || typeof item.id !== 'string' || !item.id || typeof item.command !== 'string' || !item.command) {
      problems.push(`tmuxWorkspaces.agents[${index}] needs a non-empty "id" and "command".`);
      return;
    }
    const args = Array.isArray(item.args) ? item.args.filter((arg): arg is string => typeof arg === 'string') : [];
    const env = Array.isArray(item.env) ? item.env.filter((name): name is string => typeof name === 'string') : [];
    const resumeArgs = Array.isArray(item.resumeArgs) ? item.resumeArgs.filter((arg): arg is string => typeof arg === 'string') : undefined;
    if (resumeArgs && !resumeArgs.some((arg) => arg.includes('{id}'))) {
      problems.push(`tmuxWorkspaces.agents[${index}].resumeArgs needs "{id}" where the conversation id goes; resume is off for "${item.id}".`);
    }
    agents.push({
      id: item.id,
      label: typeof item.label === 'string' && item.label ? item.label : item.id,
      command: item.command,
      args,
      env,
      ...(resumeArgs?.some((arg) => arg.includes('{id}')) ? { resumeArgs } : {}),
    });
  });
  return { agents, problems };
}
