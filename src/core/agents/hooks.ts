import { chmod, mkdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { refused } from '../errors';
import type { ReportedState } from './AgentStatus';
import { STATUS_FILE_VARIABLE } from './AgentStatus';
import { shellQuote } from '../shell';

/**
 * Prints the value of one top-level string field (awk's `key`) of the JSON on
 * stdin, if it looks like an id. Only POSIX awk is assumed (Claude Code may be
 * a native binary, Codex is one: no node or python is promised). Records are
 * split at quotes, so braces are counted only outside strings and a field
 * nested in a tool input, or spelled inside a string, is never taken.
 */
const TOP_FIELD_AWK = String.raw`BEGIN { RS = "\""; depth = 0; instr = 0; cand = 0; want = 0; found = "" }
instr {
  if (length(buf) <= 256) buf = buf $0
  if (match($0, /\\+$/) && RLENGTH % 2 == 1) { buf = buf "\""; next }
  instr = 0
  if (length(buf) > 256) buf = "\\"
  if (want) { if (found == "") found = buf; want = 0 } else cand = (depth == 1 && buf == key)
  next
}
{
  want = cand && $0 ~ /^[ \t\r\n]*:[ \t\r\n]*$/
  cand = 0
  outside = $0
  depth += gsub(/[{]/, "", outside) + gsub(/\[/, "", outside)
  depth -= gsub(/[}]/, "", outside) + gsub(/]/, "", outside)
  instr = 1
  buf = ""
}
END { if (found ~ /^[A-Za-z0-9._:-]+$/) print found }`;

/**
 * The script every hook runs. It writes one line into the session's status
 * file (replaced whole by a rename): time, agent, state and the conversation
 * id it found. Outside our sessions the variable is unset and it does nothing.
 */
export const REPORTER_SCRIPT = `#!/bin/sh
# Tmux Workspaces: reports an agent's state to the session that runs it.
#   report.sh claude STATE   a Claude Code hook (its JSON on stdin)
#   report.sh codex JSON     Codex's notify program (its JSON as the argument)
# Outside sessions launched by Tmux Workspaces (${STATUS_FILE_VARIABLE} unset) it does nothing.
[ -n "$${STATUS_FILE_VARIABLE}" ] || exit 0
top_field() {
  LC_ALL=C awk -v key="$1" '
${TOP_FIELD_AWK}'
}
case "$1" in
  claude)
    state=$2
    id=$(top_field session_id) ;;
  codex)
    state=idle
    id=$(printf '%s' "$2" | top_field thread-id) ;;
  *) exit 0 ;;
esac
case "$state" in working|needs-input|idle) ;; *) exit 0 ;; esac
tmp="$${STATUS_FILE_VARIABLE}.tmp.$$"
if printf '%s %s %s %s\\n' "$(date +%s)" "$1" "$state" "\${id:--}" > "$tmp" 2>/dev/null; then
  mv -f "$tmp" "$${STATUS_FILE_VARIABLE}" 2>/dev/null
fi
rm -f "$tmp" 2>/dev/null
exit 0
`;

/** The Claude Code hook events reported, and the state each means. */
export const CLAUDE_HOOK_EVENTS: readonly { event: string; state: ReportedState; matcher?: string }[] = [
  { event: 'SessionStart', state: 'idle' },
  { event: 'UserPromptSubmit', state: 'working' },
  { event: 'PreToolUse', state: 'working', matcher: '*' },
  { event: 'PostToolUse', state: 'working', matcher: '*' },
  { event: 'Notification', state: 'needs-input' },
  { event: 'Stop', state: 'idle' },
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
export function claudeHookCommand(reporter: string, state: ReportedState): string {
  return `[ -z "$${STATUS_FILE_VARIABLE}" ] || /bin/sh ${shellQuote(reporter, { always: true })} claude ${state}`;
}

/** Ours, from this or an earlier install: only our hooks name the variable. */
function isOurs(command: unknown): boolean {
  return typeof command === 'string' && command.includes(STATUS_FILE_VARIABLE);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Claude Code settings (JSON) with our hooks in: earlier versions of ours are
 * replaced, everything else (other hooks, other settings) is kept as it was.
 */
export function withClaudeHooks(settingsText: string | undefined, reporter: string): string {
  let settings: Json = {};
  if (settingsText !== undefined && settingsText.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(settingsText);
    } catch (error) {
      throw refused(`The Claude Code settings are not valid JSON (${(error as Error).message}); fix them first. Nothing was changed.`);
    }
    if (!isObject(parsed)) throw refused('The Claude Code settings are not a JSON object; nothing was changed.');
    settings = parsed;
  }
  if (settings.hooks !== undefined && !isObject(settings.hooks)) throw refused('"hooks" in the Claude Code settings is not an object; nothing was changed.');
  const hooks: Json = { ...((settings.hooks as Json | undefined) ?? {}) };
  for (const { event, state, matcher } of CLAUDE_HOOK_EVENTS) {
    const groups = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
    const kept = groups
      .map((group) => {
        if (!isObject(group) || !Array.isArray(group.hooks) || !group.hooks.some((hook) => isObject(hook) && isOurs(hook.command))) return group;
        const others = group.hooks.filter((hook) => !(isObject(hook) && isOurs(hook.command)));
        return others.length > 0 ? { ...group, hooks: others } : undefined;
      })
      .filter((group) => group !== undefined);
    const ours = { ...(matcher ? { matcher } : {}), hooks: [{ type: 'command', command: claudeHookCommand(reporter, state) }] };
    hooks[event] = [...kept, ours];
  }
  return `${JSON.stringify({ ...settings, hooks }, null, 2)}\n`;
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

async function readIfExists(path: string): Promise<string | undefined> {
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

export async function planClaudeHooks(settingsPath: string, reporter: string): Promise<SettingsEdit> {
  const before = await readIfExists(settingsPath);
  return { path: settingsPath, before, after: withClaudeHooks(before, reporter) };
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
