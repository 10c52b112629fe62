import { formatLiteral } from './TmuxClient';

/**
 * What our sessions' tmux status line shows (the `tmuxWorkspaces.statusLine` setting):
 * - `workspace`: which workspace and session this is, on the left;
 * - `off`: no status line;
 * - `tmux`: whatever the user's tmux config says (nothing is set).
 */
export type StatusLineMode = 'workspace' | 'off' | 'tmux';

export const STATUS_LINE_MODES: readonly StatusLineMode[] = ['workspace', 'off', 'tmux'];

export const DEFAULT_STATUS_LINE: StatusLineMode = 'workspace';

/** The mode a setting's value names; anything else is the default. */
export function statusLineMode(value: unknown): StatusLineMode {
  return STATUS_LINE_MODES.find((mode) => mode === value) ?? DEFAULT_STATUS_LINE;
}

/**
 * The session options a new session gets for `mode`, set in the invocation
 * that creates it (session options only: the user's global config and other
 * sessions are untouched). `status-left` is a tmux format, so a `#` in a
 * branch name is doubled to stay literal (`#(…)` would run a command).
 */
export function statusLineOptions(mode: StatusLineMode, workspace: string, session: string): Record<string, string> {
  if (mode === 'off') return { status: 'off' };
  if (mode === 'tmux') return {};
  const text = `${workspace} · ${session} `;
  // tmux cuts status-left at status-left-length (10 by default): leave room for all of it.
  return { 'status-left': formatLiteral(text), 'status-left-length': String([...text].length + 1) };
}
