import { refused } from '../errors';
import { PANE_OWN_VARIABLES } from '../tmux/environment';

/**
 * The grammar of user-defined variables (the project file's `env`, the
 * `tmuxWorkspaces.env` setting): which names they may take and what a
 * template may say. One place, so the project file's parse, Create's check
 * before anything exists and the rendering for a pane refuse the same things
 * with the same words. `where` names the field (`.tmux-workspaces.json: env.URL`).
 */

/** The prefix of the variables the extension sets itself; a user-defined variable may not take one. */
export const OWN_PREFIX = 'TMUX_WORKSPACES_';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TOKEN = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;
const PLACEHOLDERS = '{name}, {branch}, {root}, {worktree}, {port}, {port+N}, {ports}';

/** A placeholder of a template: one of the workspace's values, its block (`ports`), or one port of it (`port`, with its offset). */
export type Placeholder =
  | { readonly kind: 'name' | 'branch' | 'root' | 'worktree'; readonly text: string }
  | { readonly kind: 'ports'; readonly text: string }
  | { readonly kind: 'port'; readonly offset: number; readonly text: string };

/** Refuses a name a user-defined variable may not have. */
export function checkVariableName(name: string, where: string): void {
  if (!ENV_NAME.test(name)) throw refused(`${where} is not a valid variable name: use letters, digits and _ only, not starting with a digit.`);
  if (name.startsWith(OWN_PREFIX)) throw refused(`${where} starts with ${OWN_PREFIX}, which the extension sets itself; choose another name.`);
  if (PANE_OWN_VARIABLES.includes(name)) throw refused(`${where} is set by tmux for each pane; choose another name.`);
}

/** `template` as literal text and placeholders; `{{` and `}}` stand for a literal brace. Refuses an unmatched brace or an unknown placeholder. */
export function parseTemplate(template: string, where: string): Array<string | Placeholder> {
  const parts: Array<string | Placeholder> = [];
  let last = 0;
  for (const match of template.matchAll(TOKEN)) {
    const [token, key] = match;
    if (match.index > last) parts.push(template.slice(last, match.index));
    last = match.index + token.length;
    if (token === '{{' || token === '}}') parts.push(token[0]);
    else if (key === undefined) throw refused(`${where} has an unmatched "${token}" in ${JSON.stringify(template)}; write {{ or }} for a literal brace.`);
    else parts.push(placeholder(key.trim(), where));
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

function placeholder(text: string, where: string): Placeholder {
  if (text === 'name' || text === 'branch' || text === 'root' || text === 'worktree') return { kind: text, text };
  if (text === 'ports') return { kind: 'ports', text };
  const port = /^port(?:\s*\+\s*(\d+))?$/.exec(text);
  if (port) return { kind: 'port', offset: Number(port[1] ?? 0), text };
  throw refused(`${where} has an unknown placeholder {${text}}; use ${PLACEHOLDERS}.`);
}

/** Refuses a `{port+N}` past a block of `count` ports. */
export function checkPortOffset(part: Placeholder, count: number, where: string): void {
  if (part.kind === 'port' && part.offset >= count) {
    throw refused(`${where} uses {${part.text}}, outside the workspace's block of ${count} ports (use {port} to {port+${count - 1}}).`);
  }
}

/**
 * Refuses a bad variable, as rendering it would: its name, that it is a
 * string, its template's syntax and, given the block size a new workspace
 * gets, its port offsets. Resolves to the template's parts, for rendering.
 */
export function checkVariable(name: string, template: unknown, where: string, blockSize?: number): Array<string | Placeholder> {
  checkVariableName(name, where);
  if (typeof template !== 'string') throw refused(`${where} must be a string, not ${JSON.stringify(template)}.`);
  const parts = parseTemplate(template, where);
  if (blockSize !== undefined) for (const part of parts) if (typeof part !== 'string') checkPortOffset(part, blockSize, where);
  return parts;
}
