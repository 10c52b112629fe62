import { join } from 'node:path';
import { STATUS_FILE_VARIABLE } from './AgentStatus';
import { readIfExists, withHookGroups, type SettingsEdit } from './hooks';
import { shellQuote } from '../shell';

/**
 * The Gemini CLI hook events reported (its hooks reference): the reporter
 * decides each one's state. BeforeAgent carries the prompt; Notification's one
 * type, ToolPermission, is a permission asked.
 */
export const GEMINI_HOOK_EVENTS: readonly { event: string; matcher?: string }[] = [
  { event: 'SessionStart' },
  { event: 'BeforeAgent' },
  { event: 'BeforeTool', matcher: '.*' },
  { event: 'AfterTool', matcher: '.*' },
  { event: 'Notification' },
  { event: 'AfterAgent' },
  { event: 'SessionEnd' },
];

/** Gemini CLI parses a hook's stdout as JSON: ours prints an empty object, inside our sessions or not. */
export function geminiHookCommand(reporter: string, event: string): string {
  return `[ -z "$${STATUS_FILE_VARIABLE}" ] || /bin/sh ${shellQuote(reporter, { always: true })} gemini ${event}; printf '{}'`;
}

export function geminiUserSettingsPath(home: string): string {
  return join(home, '.gemini', 'settings.json');
}

export function withGeminiHooks(settingsText: string | undefined, reporter: string): string {
  return withHookGroups(
    settingsText,
    'Gemini CLI',
    GEMINI_HOOK_EVENTS.map(({ event, matcher }) => ({ event, matcher, hook: { name: `tmux-workspaces-${event}`, type: 'command', command: geminiHookCommand(reporter, event) } })),
  );
}

export async function planGeminiHooks(settingsPath: string, reporter: string): Promise<SettingsEdit> {
  const before = await readIfExists(settingsPath);
  return { path: settingsPath, before, after: withGeminiHooks(before, reporter) };
}
