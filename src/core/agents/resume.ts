import { refused } from '../errors';
import type { AgentDefinition } from './catalog';

/** Where the conversation id goes in a resume argv. */
export const CONVERSATION_ID = '{id}';

/** How the built-in agents resume a conversation, given the arguments they were launched with. */
const BUILTIN_RESUME: Readonly<Record<string, (args: readonly string[]) => string[]>> = {
  claude: (args) => [...args, '--resume', CONVERSATION_ID],
  codex: (args) => ['resume', CONVERSATION_ID, ...args],
};

/**
 * The ids agents report look like `0b5c…-…` (UUIDs) or similar. Anything else
 * is refused: it goes into an argv, and a value starting with `-` would be an option.
 */
const CONVERSATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isConversationId(value: string): boolean {
  return CONVERSATION_ID_PATTERN.test(value);
}

/**
 * The argv template (`{id}` for the conversation) that resumes `agent`, run
 * from `executable` (its resolved absolute path); undefined when it cannot resume.
 * A configured `resumeArgs` wins; otherwise a built-in id brings its rule.
 */
export function resumeTemplate(agent: AgentDefinition, executable: string): string[] | undefined {
  if (agent.resumeArgs?.some((arg) => arg.includes(CONVERSATION_ID))) return [executable, ...agent.resumeArgs];
  const rule = BUILTIN_RESUME[agent.id];
  return rule ? [executable, ...rule(agent.args)] : undefined;
}

/** The argv that resumes `conversationId` with `template`. */
export function resumeCommand(template: readonly string[], conversationId: string): string[] {
  if (!isConversationId(conversationId)) throw refused(`"${conversationId}" is not a conversation id this extension resumes.`);
  if (!template.some((arg) => arg.includes(CONVERSATION_ID))) throw refused('This agent has no resume command.');
  return template.map((arg) => arg.split(CONVERSATION_ID).join(conversationId));
}
