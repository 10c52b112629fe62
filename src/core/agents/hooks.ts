import { chmod, mkdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { refused } from '../errors';
import { STATUS_FILE_VARIABLE } from './AgentStatus';
import { atLeast } from './agentVersion';
import { REPORTER_SCRIPT } from './reporter';
import { shellQuote } from '../shell';

/**
 * The Claude Code hook events reported; the reporter decides each one's state
 * from the event and its payload (a Notification's type, a tool's name).
 * PermissionRequest and SubagentStart are newer events (`since`, from Claude
 * Code's changelog): they are installed only where the installed version has them.
 */
export const CLAUDE_HOOK_EVENTS: readonly { event: string; matcher?: string; since?: string }[] = [
  { event: 'SessionStart' },
  { event: 'UserPromptSubmit' },
  { event: 'PreToolUse', matcher: '*' },
  { event: 'PostToolUse', matcher: '*' },
  { event: 'PermissionRequest', matcher: '*', since: '2.0.45' },
  { event: 'Notification' },
  { event: 'SubagentStart', since: '2.0.43' },
  { event: 'SubagentStop' },
  { event: 'Stop' },
  { event: 'SessionEnd' },
];

/** A settings file as it is and as it would be. */
export interface SettingsEdit {
  readonly path: string;
  readonly before: string | undefined;
  readonly after: string;
  /** A foreign setting the edit would replace (Codex has one notify program). */
  readonly replaces?: string;
}

export function reporterPath(stateDir: string): string {
  return join(stateDir, 'hooks', 'report.sh');
}

/** Writes (or refreshes) the reporter script; resolves to its path. */
export async function writeReporter(stateDir: string): Promise<string> {
  const path = reporterPath(stateDir);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, REPORTER_SCRIPT, { mode: 0o755 });
  await chmod(path, 0o755);
  return path;
}


/** The hook command: a no-op unless the pane says where to report. */
export function claudeHookCommand(reporter: string, event: string): string {
  return `[ -z "$${STATUS_FILE_VARIABLE}" ] || /bin/sh ${shellQuote(reporter, { always: true })} claude ${event}`;
}

/** Ours, from this or an earlier install: only our hooks name the variable. */
export function isOurs(command: unknown): boolean {
  return typeof command === 'string' && command.includes(STATUS_FILE_VARIABLE);
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Claude Code settings (JSON) with our hooks in: earlier versions of ours are
 * replaced, everything else (other hooks, other settings) is kept as it was.
 */
export function withClaudeHooks(settingsText: string | undefined, reporter: string, version?: readonly number[]): string {
  const events = CLAUDE_HOOK_EVENTS.filter((entry) => !entry.since || atLeast(version, entry.since));
  return withHookGroups(settingsText, 'Claude Code', events.map(({ event, matcher }) => ({ event, matcher, hook: { type: 'command', command: claudeHookCommand(reporter, event) } })));
}

/**
 * A settings file (JSON) whose `hooks` object maps events to groups of
 * `{ matcher?, hooks: [...] }` (Claude Code's and Gemini CLI's shape), with one
 * group of ours per event: hooks of ours from earlier installs are taken out
 * of the groups they were in, every other hook and setting is kept.
 */
export function withHookGroups(settingsText: string | undefined, product: string, ours: readonly { event: string; matcher?: string; hook: Json }[]): string {
  const settings = parseSettings(settingsText, product);
  if (settings.hooks !== undefined && !isObject(settings.hooks)) throw refused(`"hooks" in the ${product} settings is not an object; nothing was changed.`);
  const hooks: Json = { ...((settings.hooks as Json | undefined) ?? {}) };
  for (const { event, matcher, hook } of ours) {
    const groups = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
    const kept = groups
      .map((group) => {
        if (!isObject(group) || !Array.isArray(group.hooks) || !group.hooks.some((entry) => isObject(entry) && isOurs(entry.command))) return group;
        const others = group.hooks.filter((entry) => !(isObject(entry) && isOurs(entry.command)));
        return others.length > 0 ? { ...group, hooks: others } : undefined;
      })
      .filter((group) => group !== undefined);
    hooks[event] = [...kept, { ...(matcher ? { matcher } : {}), hooks: [hook] }];
  }
  return `${JSON.stringify({ ...settings, hooks }, null, 2)}\n`;
}

function parseSettings(settingsText: string | undefined, product: string): Json {
  if (settingsText === undefined || settingsText.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(settingsText);
  } catch (error) {
    throw refused(`The ${product} settings are not valid JSON (${(error as Error).message}); fix them first. Nothing was changed.`);
  }
  if (!isObject(parsed)) throw refused(`The ${product} settings are not a JSON object; nothing was changed.`);
  return parsed;
}

export function codexNotifyArgv(reporter: string): string[] {
  return ['/bin/sh', reporter, 'codex'];
}

/**
 * Codex's config (TOML) with `notify` running our reporter. `notify` is a
 * top-level key, so it goes before the first table. Codex runs one notify
 * program; a foreign one is reported in `replaces` for the user to decide.
 */
export function withCodexNotify(configText: string | undefined, reporter: string): { text: string; replaces?: string } {
  const ours = `notify = [${codexNotifyArgv(reporter).map((arg) => JSON.stringify(arg)).join(', ')}]`;
  const lines = (configText ?? '').split('\n');
  const firstTable = lines.findIndex((line) => /^\s*\[/.test(line));
  const topLevelEnd = firstTable < 0 ? lines.length : firstTable;
  const start = lines.slice(0, topLevelEnd).findIndex((line) => /^\s*notify\s*=/.test(line));
  if (start >= 0) {
    const end = valueEnd(lines, start);
    const existing = lines.slice(start, end + 1).join('\n');
    const replaced = [...lines.slice(0, start), ours, ...lines.slice(end + 1)].join('\n');
    const foreign = !existing.includes(JSON.stringify(reporter).slice(1, -1)) && !existing.includes(reporter);
    return foreign ? { text: replaced, replaces: existing.replace(/^\s*notify\s*=\s*/, '') } : { text: replaced };
  }
  if (firstTable < 0) {
    const body = (configText ?? '').replace(/\n*$/, '');
    return { text: `${body}${body ? '\n' : ''}${ours}\n` };
  }
  return { text: [...lines.slice(0, firstTable), ours, '', ...lines.slice(firstTable)].join('\n') };
}

/** The last line of a TOML value that starts on `start`: an array may span lines. */
function valueEnd(lines: readonly string[], start: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let index = start; index < lines.length; index++) {
    const line = index === start ? lines[index].slice(lines[index].indexOf('=') + 1) : lines[index];
    for (let at = 0; at < line.length; at++) {
      const char = line[at];
      if (quote) {
        if (char === '\\' && quote === '"') at++;
        else if (char === quote) quote = undefined;
      } else if (char === '"' || char === "'") quote = char;
      else if (char === '#') break;
      else if (char === '[') depth++;
      else if (char === ']') depth--;
    }
    if (depth <= 0) return index;
  }
  return lines.length - 1;
}

export async function readIfExists(path: string): Promise<string | undefined> {
  return existsSync(path) ? readFile(path, 'utf8') : undefined;
}

export function claudeUserSettingsPath(home: string): string {
  return join(home, '.claude', 'settings.json');
}

/** `.claude/settings.local.json`: Claude Code's per-checkout settings, never committed. */
export const CLAUDE_LOCAL_SETTINGS = join('.claude', 'settings.local.json');

export function codexConfigPath(home: string, codexHome?: string): string {
  return join(codexHome || join(home, '.codex'), 'config.toml');
}

/** `version`: the installed Claude Code's (`installedVersion`); unknown, every event goes in. */
export async function planClaudeHooks(settingsPath: string, reporter: string, version?: readonly number[]): Promise<SettingsEdit> {
  const before = await readIfExists(settingsPath);
  return { path: settingsPath, before, after: withClaudeHooks(before, reporter, version) };
}

export async function planCodexNotify(configPath: string, reporter: string): Promise<SettingsEdit> {
  const before = await readIfExists(configPath);
  const { text, replaces } = withCodexNotify(before, reporter);
  return { path: configPath, before, after: text, ...(replaces ? { replaces } : {}) };
}

/**
 * Writes an edit (atomically, by a rename) unless it changes nothing; the
 * first time a file is changed, its original is kept beside it as `.bak`.
 * A file that changed since the edit was planned is refused. A symlinked
 * file (dotfiles) is written through its link, which is kept.
 */
export async function applyEdit(edit: SettingsEdit, options: { backup?: boolean } = {}): Promise<boolean> {
  if (edit.before === edit.after) return false;
  if ((await readIfExists(edit.path)) !== edit.before) throw refused(`${edit.path} changed meanwhile; nothing was written. Try again.`);
  await mkdir(dirname(edit.path), { recursive: true });
  // A settings file kept in dotfiles is a symlink: the rename goes onto the file it points at, so the link stays.
  const target = edit.before === undefined ? edit.path : await realpath(edit.path);
  // The file keeps its permissions (a settings file may hold tokens and be 0600), and so does its backup.
  const mode = edit.before === undefined ? 0o600 : (await stat(target)).mode & 0o777;
  const backup = `${edit.path}.tmux-workspaces.bak`;
  if (options.backup && edit.before !== undefined && !existsSync(backup)) {
    await writeFile(backup, edit.before, { mode });
    await chmod(backup, mode);
  }
  const temporary = `${target}.tmux-workspaces.tmp`;
  await writeFile(temporary, edit.after, { mode });
  await chmod(temporary, mode);
  await rename(temporary, target);
  return true;
}
