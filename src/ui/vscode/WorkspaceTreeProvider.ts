import * as vscode from 'vscode';
import type { TreeNode } from '../tree/nodes';
import type { WorkspaceTreeModel } from '../tree/WorkspaceTreeModel';
import { CommandId } from '../ids';

/** Renders the model's nodes; all state and wording live in the model. */
export class WorkspaceTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly model: WorkspaceTreeModel) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const collapsible =
      node.kind === 'repository' || node.kind === 'orphans' || (node.kind === 'workspace' && node.children.length > 0)
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, collapsible);
    // VS Code applies collapsibleState only the first time it sees an id: a
    // workspace first drawn without children (while creating) would stay
    // collapsed once its terminals appear. The childless form has its own id.
    item.id = node.kind === 'workspace' && collapsible === vscode.TreeItemCollapsibleState.None ? `${node.id}:leaf` : node.id;
    item.description = node.description;
    item.contextValue = node.contextValue;
    item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    if (node.tooltip) item.tooltip = new vscode.MarkdownString(node.tooltip);
    if ((node.kind === 'session' && /\balive\b/.test(node.contextValue)) || (node.kind === 'base' && /\btmux\b/.test(node.contextValue)) || node.kind === 'orphan') {
      item.command = { command: CommandId.attach, title: 'Attach', arguments: [node] };
    }
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return [...this.model.children(node)];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.model.parentOf(node);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
