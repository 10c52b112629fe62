import * as vscode from 'vscode';
import type { TreeNode } from '../tree/nodes';
import type { WorkspaceTreeModel } from '../tree/WorkspaceTreeModel';
import { treeItemLook } from '../tree/treeItem';
import { CommandId } from '../ids';

/** Renders the model's nodes; all state and wording live in the model. */
export class WorkspaceTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly model: WorkspaceTreeModel) {
    this.subscription = model.onDidChangeTree(() => this.changed.fire(undefined));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const look = treeItemLook(node);
    const state = look.expanded ? vscode.TreeItemCollapsibleState.Expanded : look.collapsed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, state);
    item.id = look.id;
    item.description = node.description;
    item.contextValue = node.contextValue;
    item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    if (node.tooltip) item.tooltip = new vscode.MarkdownString(node.tooltip);
    if (look.attachesOnClick) item.command = { command: CommandId.attach, title: 'Attach', arguments: [node] };
    if (look.opensDiff) item.command = { command: CommandId.openChange, title: 'Open Change', arguments: [node] };
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
