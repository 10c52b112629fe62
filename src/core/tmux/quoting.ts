/**
 * How our tmux commands are written down, for the two ways they reach tmux.
 *
 * Commands are argv arrays, as for a tmux process; an element that is exactly
 * `;` separates two commands of one list (as tmux reads its own argv).
 *
 * - Over the control connection a command is one line of the tmux command
 *   language (cmd-parse.y): every word goes in single quotes, where nothing is
 *   special (`$`, `~`, `#`, `{}`, `;`, `\`), and a `'` is written `'\''`.
 *   A line cannot carry a newline (nor a NUL): such a command has no line
 *   and must travel as a process.
 * - As a process, tmux splits an argument that ends with `;` into the word
 *   and a separator (`x;` would arrive as `x`); `\;` at the end stands for a
 *   literal `;`, so such arguments get that backslash.
 */
export const SEPARATOR = ';';

/** One word of the tmux command language, read back by tmux exactly as given. */
export function tmuxQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command list as one control-mode line, or undefined when a word cannot travel on one line. */
export function tmuxCommandLine(args: readonly string[]): string | undefined {
  if (args.some((word) => /[\n\r\0]/.test(word))) return undefined;
  return args.map((word) => (word === SEPARATOR ? SEPARATOR : tmuxQuote(word))).join(' ');
}

/** The command list as tmux process arguments, each read back by tmux exactly as given. */
export function tmuxProcessArgs(args: readonly string[]): string[] {
  return args.map((word) => (word !== SEPARATOR && word.endsWith(';') ? `${word.slice(0, -1)}\\;` : word));
}
