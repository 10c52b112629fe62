/**
 * The oldest tmux the extension supports: 3.2. Commands over the control
 * connection are written for the command parser of tmux 3.0 (single quotes,
 * `'\''`), and the watcher relies on `%client-detached`, new in 3.2. Tested
 * on 3.3a.
 */
export const MINIMUM_TMUX = { major: 3, minor: 2 } as const;
export const MINIMUM_TMUX_TEXT = `${MINIMUM_TMUX.major}.${MINIMUM_TMUX.minor}`;

/**
 * The version in `tmux -V` output ("tmux 3.3a", "tmux next-3.5", "tmux 3.4-rc"),
 * or undefined when it names none (a build from git says "tmux master").
 */
export function parseTmuxVersion(output: string): { major: number; minor: number } | undefined {
  const match = /(\d+)\.(\d+)/.exec(output);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

/** Why this tmux cannot be used, or undefined when it can (a version we cannot read is taken as new). */
export function unsupportedTmux(output: string): string | undefined {
  const version = parseTmuxVersion(output);
  if (!version) return undefined;
  const old = version.major < MINIMUM_TMUX.major || (version.major === MINIMUM_TMUX.major && version.minor < MINIMUM_TMUX.minor);
  return old ? `${output.trim()} is too old: Tmux Workspaces needs tmux ${MINIMUM_TMUX_TEXT} or newer. Update tmux to launch sessions.` : undefined;
}
