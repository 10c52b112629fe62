/**
 * tmux clients run with these variables only. The tmux server keeps the
 * environment it was started with for its whole life and hands it to every
 * pane, so a token that reached it once would leak into every session.
 */
const ALLOWED = new Set([
  'PATH', 'HOME', 'SHELL', 'TERM', 'COLORTERM', 'LANG', 'LANGUAGE', 'USER', 'LOGNAME', 'TZ',
  'TMPDIR', 'TMUX_TMPDIR', 'EDITOR', 'VISUAL', 'PAGER', 'DISPLAY', 'WAYLAND_DISPLAY', 'SSH_AUTH_SOCK',
  'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME',
  'XDG_CONFIG_DIRS', 'XDG_DATA_DIRS',
]);

export function allowedEnvironment(source: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && (ALLOWED.has(name) || name.startsWith('LC_'))) result[name] = value;
  }
  return result;
}

/**
 * What a pane keeps of the environment tmux gives it: tmux's own variables
 * and the terminal type it emulates. Everything else comes from the handoff.
 */
export const PANE_OWN_VARIABLES: readonly string[] = ['TMUX', 'TMUX_PANE', 'TERM', 'TERM_PROGRAM', 'TERM_PROGRAM_VERSION'];

/** The allow-listed variables a pane starts with, less those tmux sets for the pane itself. */
export function paneBaseEnvironment(source: NodeJS.ProcessEnv): Record<string, string> {
  const result = allowedEnvironment(source);
  for (const name of PANE_OWN_VARIABLES) delete result[name];
  return result;
}
