import type { TreeNode } from './nodes';

/** The editor-free part of a node's tree item: what `WorkspaceTreeProvider` turns into a `vscode.TreeItem`. */
export interface TreeItemLook {
  /** The tree item's id: the editor keys expansion, selection and reveal by it. */
  readonly id: string;
  /** Drawn with a twistie, expanded the first time the editor sees the id; otherwise a leaf. */
  readonly expanded: boolean;
  /** Drawn with a twistie, collapsed the first time (a workspace's Changes, the Archived group). */
  readonly collapsed: boolean;
  /** A click opens the file's diff (a changed file). */
  readonly opensDiff: boolean;
  /** A click attaches (a running session, a base terminal tmux can start, an orphan). */
  readonly attachesOnClick: boolean;
}

/**
 * A row's id is its node's id, fixed for the life of what it shows: a reveal
 * resolves its target by id after re-reading the tree, so an id that changed
 * meanwhile (a workspace whose base terminal just appeared) fails it. The
 * editor applies the expanded state only the first time it sees an id, so a
 * workspace is drawn expanded even while it has no rows under it (creating):
 * it is open once its terminals appear.
 */
export function treeItemLook(node: TreeNode): TreeItemLook {
  // An archived row has nothing under it: a leaf.
  const expanded = node.kind === 'repository' || node.kind === 'orphans' || (node.kind === 'workspace' && node.status !== 'archived');
  const attachesOnClick =
    (node.kind === 'session' && /\balive\b/.test(node.contextValue)) || (node.kind === 'base' && /\btmux\b/.test(node.contextValue)) || node.kind === 'orphan';
  return { id: node.id, expanded, collapsed: node.kind === 'changes' || node.kind === 'archived', attachesOnClick, opensDiff: node.kind === 'changedFile' };
}
