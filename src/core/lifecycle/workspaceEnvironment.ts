import { basename } from 'node:path';
import { refused } from '../errors';
import type { WorkspaceRecord } from '../store/records';
import { PANE_OWN_VARIABLES } from '../tmux/environment';
import { portRange } from './portBlocks';

/** The prefix of the variables the extension sets itself; a user-defined variable may not take one. */
export const OWN_PREFIX = 'TMUX_WORKSPACES_';

/**
 * User-defined variables from one source, name → template. `source` names it
 * in messages (`setting tmuxWorkspaces.env`, `.tmux-workspaces.json`). Values
 * come from JSON, so anything may be there; only strings are accepted.
 */
export interface EnvironmentLayer {
  readonly source: string;
  readonly env: Readonly<Record<string, unknown>> | undefined;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TOKEN = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;
const PLACEHOLDERS = '{name}, {branch}, {root}, {worktree}, {port}, {port+N}, {ports}';

/**
 * The workspace's name in variables and templates: its worktree's folder
 * name, the branch with `/` made `-` (`feature/login` → `feature-login`, and
 * `feature-login-2` when another workspace has that folder). Unlike the branch
 * it is one path segment and unique among the repository's workspaces, so it
 * fits a file name or a `COMPOSE_PROJECT_NAME`.
 */
export function workspaceName(record: Pick<WorkspaceRecord, 'worktreePath'>): string {
  return basename(record.worktreePath);
}

/** The variables every pane and setup step of a workspace gets; the port ones once it has its block. */
export function builtInVariables(record: WorkspaceRecord): Record<string, string> {
  return {
    [`${OWN_PREFIX}NAME`]: workspaceName(record),
    [`${OWN_PREFIX}BRANCH`]: record.branch,
    [`${OWN_PREFIX}ROOT`]: record.repoPath,
    ...(record.ports ? { [`${OWN_PREFIX}PORT`]: String(record.ports.first), [`${OWN_PREFIX}PORTS`]: portRange(record.ports) } : {}),
  };
}

/**
 * A workspace's whole environment for its panes and setup: the built-in
 * variables, then each layer's variables rendered from its templates (a
 * later layer's variable replaces an earlier one's of the same name). A bad
 * name or template is refused with a message naming the variable and where it
 * was set; nothing is returned half-made.
 */
export function workspaceEnvironment(record: WorkspaceRecord, layers: readonly EnvironmentLayer[] = []): Record<string, string> {
  const result: Record<string, string> = {};
  for (const layer of layers) {
    if (layer.env === undefined || layer.env === null) continue;
    if (typeof layer.env !== 'object' || Array.isArray(layer.env)) throw refused(`${layer.source} must map variable names to template strings.`);
    for (const [name, template] of Object.entries(layer.env)) {
      const where = `${layer.source}: variable ${JSON.stringify(name)}`;
      checkName(name, where);
      if (typeof template !== 'string') throw refused(`${where} must be a string, not ${JSON.stringify(template)}.`);
      result[name] = renderTemplate(template, record, where);
    }
  }
  return { ...result, ...builtInVariables(record) };
}

function checkName(name: string, where: string): void {
  if (!ENV_NAME.test(name)) throw refused(`${where} is not a valid name: use letters, digits and _ only, not starting with a digit.`);
  if (name.startsWith(OWN_PREFIX)) throw refused(`${where} starts with ${OWN_PREFIX}, which the extension sets itself; choose another name.`);
  if (PANE_OWN_VARIABLES.includes(name)) throw refused(`${where} is set by tmux for each pane; choose another name.`);
}

/** `template` with its placeholders filled in; `{{` and `}}` stand for a literal brace. */
export function renderTemplate(template: string, record: WorkspaceRecord, where = 'template'): string {
  return template.replace(TOKEN, (token: string, key: string | undefined) => {
    if (token === '{{') return '{';
    if (token === '}}') return '}';
    if (key === undefined) throw refused(`${where} has an unmatched "${token}" in ${JSON.stringify(template)}; write {{ or }} for a literal brace.`);
    return placeholder(key.trim(), record, where);
  });
}

function placeholder(key: string, record: WorkspaceRecord, where: string): string {
  switch (key) {
    case 'name':
      return workspaceName(record);
    case 'branch':
      return record.branch;
    case 'root':
      return record.repoPath;
    case 'worktree':
      return record.worktreePath;
  }
  const port = /^port(?:\s*\+\s*(\d+))?$/.exec(key);
  if (key === 'ports' || port) {
    if (!record.ports) throw refused(`${where} uses {${key}}, but the workspace has no ports yet.`);
    if (key === 'ports') return portRange(record.ports);
    const offset = Number(port![1] ?? 0);
    if (offset >= record.ports.count) {
      throw refused(`${where} uses {${key}}, outside the workspace's block of ${record.ports.count} ports (use {port} to {port+${record.ports.count - 1}}).`);
    }
    return String(record.ports.first + offset);
  }
  throw refused(`${where} has an unknown placeholder {${key}}; use ${PLACEHOLDERS}.`);
}

/** A workspace's variables for its panes and steps (its ports allocated first, if it has none). */
export type WorkspaceVariables = (workspaceId: string) => Promise<Readonly<Record<string, string>>>;
