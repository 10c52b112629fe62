import { basename } from 'node:path';
import { refused } from '../errors';
import { OWN_PREFIX, checkPortOffset, checkVariable, parseTemplate, type Placeholder } from '../project/envTemplates';
import type { WorkspaceRecord } from '../store/records';
import { portRange } from './portBlocks';

/**
 * User-defined variables from one source, name → template. `source` is the
 * field they are under, for messages (`setting tmuxWorkspaces.env`,
 * `.tmux-workspaces.json: env`; a variable is `source.NAME`). Values come from
 * JSON, so anything may be there; only strings are accepted.
 */
export interface EnvironmentLayer {
  readonly source: string;
  readonly env: Readonly<Record<string, unknown>> | undefined;
}

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
 * was set; nothing is returned half-made. With `withoutBlock`, a workspace
 * that holds no ports gets no variable that needs one (told of each, by its
 * field), instead of a refusal.
 */
export function workspaceEnvironment(record: WorkspaceRecord, layers: readonly EnvironmentLayer[] = [], options: { withoutBlock?: (where: string) => void } = {}): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, template, where] of layerVariables(layers)) {
    const parts = checkVariable(name, template, where);
    if (!record.ports && options.withoutBlock && parts.some((part) => typeof part !== 'string' && (part.kind === 'port' || part.kind === 'ports'))) {
      options.withoutBlock(where);
      delete result[name];
      continue;
    }
    result[name] = render(parts, record, where);
  }
  return { ...result, ...builtInVariables(record) };
}

/**
 * Refuses, as `workspaceEnvironment` would, a bad variable of a workspace not
 * made yet, whose block will have `blockSize` ports: Create asks this before
 * anything exists.
 */
export function checkEnvironment(layers: readonly EnvironmentLayer[], blockSize: number): void {
  for (const [name, template, where] of layerVariables(layers)) checkVariable(name, template, where, blockSize);
}

/** Every layer's variables in order, each with its field's name; refuses a layer that is not an object. */
function layerVariables(layers: readonly EnvironmentLayer[]): Array<[name: string, template: unknown, where: string]> {
  return layers.flatMap((layer) => {
    if (layer.env === undefined || layer.env === null) return [];
    if (typeof layer.env !== 'object' || Array.isArray(layer.env)) throw refused(`${layer.source} must map variable names to template strings.`);
    return Object.entries(layer.env).map(([name, template]): [string, unknown, string] => [name, template, `${layer.source}.${name}`]);
  });
}

/** `template` with its placeholders filled in; `{{` and `}}` stand for a literal brace. */
export function renderTemplate(template: string, record: WorkspaceRecord, where = 'template'): string {
  return render(parseTemplate(template, where), record, where);
}

function render(parts: ReturnType<typeof parseTemplate>, record: WorkspaceRecord, where: string): string {
  return parts.map((part) => (typeof part === 'string' ? part : value(part, record, where))).join('');
}

function value(part: Placeholder, record: WorkspaceRecord, where: string): string {
  switch (part.kind) {
    case 'name':
      return workspaceName(record);
    case 'branch':
      return record.branch;
    case 'root':
      return record.repoPath;
    case 'worktree':
      return record.worktreePath;
  }
  if (!record.ports) throw refused(`${where} uses {${part.text}}, but the workspace has no ports yet.`);
  if (part.kind === 'ports') return portRange(record.ports);
  checkPortOffset(part, record.ports.count, where);
  return String(record.ports.first + part.offset);
}

/** A workspace's variables for its panes and steps, by its id. */
export type WorkspaceVariables = (workspaceId: string) => Promise<Readonly<Record<string, string>>>;
