import * as vscode from 'vscode';

/**
 * Integrated terminals attached to tmux sessions, one per session. Attaching
 * again focuses the open terminal. They are transient (a dead attach client is
 * not restored on reload) and closing one only detaches: the session runs on.
 */
export class AttachTerminals implements vscode.Disposable {
  private readonly terminals = new Map<string, vscode.Terminal>();
  private readonly subscription: vscode.Disposable;
  private readonly shown = new vscode.EventEmitter<vscode.Terminal>();
  /** Fires whenever attaching brings a terminal to the front, open already or new. */
  readonly onDidShow = this.shown.event;

  constructor() {
    this.subscription = vscode.window.onDidCloseTerminal((terminal) => {
      for (const [name, open] of this.terminals) if (open === terminal) this.terminals.delete(name);
    });
  }

  attach(options: { tmuxName: string; title: string; argv: readonly string[]; cwd?: string }): vscode.Terminal {
    const open = this.terminals.get(options.tmuxName) ?? this.findAdopted(options.tmuxName);
    if (open && open.exitStatus === undefined) {
      open.show();
      this.shown.fire(open);
      return open;
    }
    const [shellPath, ...shellArgs] = options.argv;
    const terminal = vscode.window.createTerminal({
      name: options.title,
      shellPath,
      shellArgs,
      cwd: options.cwd,
      isTransient: true,
      iconPath: new vscode.ThemeIcon('terminal-tmux'),
    });
    this.terminals.set(options.tmuxName, terminal);
    terminal.show();
    this.shown.fire(terminal);
    return terminal;
  }

  terminalFor(tmuxName: string): vscode.Terminal | undefined {
    return this.terminals.get(tmuxName);
  }

  /** The tmux session a terminal of ours is attached to. */
  sessionOf(terminal: vscode.Terminal | undefined): string | undefined {
    if (!terminal) return undefined;
    for (const [name, open] of this.terminals) if (open === terminal) return name;
    return undefined;
  }

  /** A terminal this window opened before the extension host restarted. */
  private findAdopted(tmuxName: string): vscode.Terminal | undefined {
    const target = `=${tmuxName}`;
    const found = vscode.window.terminals.find((terminal) => {
      const options = terminal.creationOptions as vscode.TerminalOptions;
      return terminal.exitStatus === undefined && Array.isArray(options.shellArgs) && options.shellArgs.at(-1) === target;
    });
    if (found) this.terminals.set(tmuxName, found);
    return found;
  }

  dispose(): void {
    this.subscription.dispose();
    this.shown.dispose();
    this.terminals.clear();
  }
}
