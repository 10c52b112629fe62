import * as vscode from 'vscode';
import type { WorkspaceTreeModel } from '../tree/WorkspaceTreeModel';
import { CommandId } from '../ids';
import { count, statusWords } from '../words';

/** While an open folder is a workspace's worktree: its branch and session count; a click reveals it in the tree. */
export class WorkspaceStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tmuxWorkspaces.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: { dispose(): void }[];

  constructor(private readonly model: WorkspaceTreeModel) {
    this.item.name = 'Tmux Workspaces';
    this.subscriptions = [model.onDidChange(() => this.update()), vscode.workspace.onDidChangeWorkspaceFolders(() => this.update())];
    this.update();
  }

  private update(): void {
    const folders = new Set((vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath));
    const view = this.model.workspaces.find((candidate) => folders.has(candidate.record.worktreePath));
    if (!view) {
      this.item.hide();
      return;
    }
    const running = view.sessions.filter((session) => session.alive).length;
    this.item.text = `$(terminal-tmux) ${view.record.branch} · ${count(running, 'session')}`;
    this.item.tooltip = `Tmux workspace ${view.record.branch} (${statusWords(view.record.status)}): show it in the Tmux Workspaces view`;
    this.item.command = { command: CommandId.revealWorkspace, title: 'Reveal Workspace', arguments: [view.record.id] };
    this.item.show();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}
