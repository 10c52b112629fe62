/** How tmux is told exactly which session or pane, and a path or command literally. */

/**
 * tmux expands formats in `-c` and in `pipe-pane`'s command: `#(…)` would run
 * a shell command and `#S` would change the path. A git branch may contain
 * `#`, so such values are passed with every `#` doubled, which tmux reads as
 * a literal `#`.
 */
export function formatLiteral(value: string): string {
  return value.replace(/#/g, '##');
}

/** `=name` matches that session exactly; a bare name also matches prefixes and patterns. */
export function exactSession(name: string): string {
  return `=${name}`;
}

/** Pane-scoped commands (set-option, capture-pane) need the session's current pane. */
export function exactPane(name: string): string {
  return `=${name}:`;
}
