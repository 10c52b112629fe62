import type { NodeBase, WorkspaceNode } from './nodes';

/** The Archived group: workspaces whose worktree was removed and whose branch was kept, collapsed below the live ones. */
export interface ArchivedNode extends NodeBase {
  readonly kind: 'archived';
  readonly workspaces: readonly WorkspaceNode[];
}

/** The group over `rows` (archived workspace rows), or undefined when there are none. */
export function archivedNode(rows: readonly WorkspaceNode[]): ArchivedNode | undefined {
  if (rows.length === 0) return undefined;
  return {
    kind: 'archived',
    id: 'archived',
    label: 'Archived',
    description: `${rows.length}`,
    tooltip: 'Workspaces whose worktree was removed and whose branch was kept. Restore one to get a worktree on its branch again, or delete it with its branch.',
    icon: { id: 'archive' },
    contextValue: 'archived',
    workspaces: rows,
  };
}

/** Whether a workspace row belongs under Archived rather than with the live workspaces. */
export function isArchivedRow(node: WorkspaceNode): boolean {
  return node.status === 'archived';
}
