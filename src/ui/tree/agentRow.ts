import type { AgentState } from '../../core/agents/AgentStatus';
import { promptLine } from '../../core/agents/promptText';
import { localTime } from '../../core/time';
import { ago } from '../words';
import type { AgentLatest } from './AgentStateModel';

/** How many characters of the latest prompt's first line the row shows. */
export const PROMPT_LINE_MAX = 48;

/** The state in a row's words, its reason where the hook gave one: `needs permission`, `asks a question`. */
export function stateWords(state: AgentState, latest: AgentLatest | undefined, plain: string): string {
  if (state !== 'needs-input' || latest?.state !== 'needs-input') return plain;
  if (latest.reason === 'permission') return 'needs permission';
  if (latest.reason === 'question') return 'asks a question';
  return plain;
}

/** The row's description after its state: what the agent was last asked to do, on one short line. */
export function promptWords(latest: AgentLatest | undefined): string | undefined {
  const line = latest?.prompt ? promptLine(latest.prompt, PROMPT_LINE_MAX) : '';
  return line || undefined;
}

/** The tooltip's lines about the agent's state: what and why, since when, and the latest prompt in full. */
export function agentTooltipLines(latest: AgentLatest | undefined, now: number): string[] {
  if (!latest) return [];
  const why = [latest.reason === 'permission' ? 'permission' : latest.reason === 'question' ? 'a question' : undefined, latest.detail].filter(Boolean).join(': ');
  const lines = [`State: ${STATE_NAMES[latest.state]}${why ? ` (${escapeMarkdown(why)})` : ''} since ${ago(now - latest.since)} (${localTime(latest.since)})`];
  if (latest.prompt) lines.push(`Latest prompt:\n\n${fenced(latest.prompt)}`);
  return lines;
}

const STATE_NAMES: Record<AgentState, string> = {
  working: 'working',
  'needs-input': 'needs input',
  idle: 'idle',
  done: 'done',
  failed: 'failed',
  stuck: 'stuck (no output and no report)',
};

/** A fence longer than any run of backticks in the text, so the prompt shows as it is, never as Markdown. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|<>])/g, '\\$1');
}
