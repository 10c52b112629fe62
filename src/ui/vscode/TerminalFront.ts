import * as vscode from 'vscode';

/**
 * Whether the active terminal is in front of the user. `window.activeTerminal`
 * is the terminal that has focus *or had it last*: once the user clicks into
 * an editor it still names that terminal, and a notification about its agent
 * would be held back while the user reads code elsewhere. So a terminal counts
 * as in front from when it becomes active (or is shown by us) until the user
 * works in an editor: a selection made by keyboard or mouse, another text or
 * notebook editor made active. Clicking back into the same terminal fires no
 * event VS Code offers; until the user types there or we show it, it counts
 * as behind, and a notification about it is shown (once too often rather than
 * never).
 */
export class TerminalFront implements vscode.Disposable {
  private away = false;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  /** Fires when the active terminal comes to the front or goes behind an editor. */
  readonly onDidChange = this.changed.event;

  constructor(shown: vscode.Event<vscode.Terminal>) {
    this.subscriptions = [
      this.changed,
      vscode.window.onDidChangeActiveTerminal((terminal) => terminal && this.set(false)),
      shown(() => this.set(false)),
      // A selection the user made: keyboard, mouse or a command (an edit by an extension has no kind).
      vscode.window.onDidChangeTextEditorSelection((event) => event.kind !== undefined && this.set(true)),
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.set(true)),
      vscode.window.onDidChangeActiveNotebookEditor((editor) => editor && this.set(true)),
    ];
  }

  /** The terminal in front of the user in this window, if the window has the focus and an editor has not taken over since. */
  terminal(): vscode.Terminal | undefined {
    return vscode.window.state.focused && !this.away ? vscode.window.activeTerminal : undefined;
  }

  private set(away: boolean): void {
    if (this.away === away) return;
    this.away = away;
    this.changed.fire();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
