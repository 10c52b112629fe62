import * as vscode from 'vscode';
import type { EditorSelection, FileDiff, InputOptions, PickItem, PickOptions, UiHost } from '../host';
import { diffSideUri } from './BaseContent';
import { readOnlyTexts } from './ReadOnlyText';
import type { AttachTerminals } from './AttachTerminals';
import { VIEW_ID } from '../ids';
import { acceptedItem } from '../commands/typedPicks';

/** The editor behind `UiHost`. */
export class VsCodeHost implements UiHost {
  constructor(
    private readonly terminals: AttachTerminals,
    private readonly log: vscode.LogOutputChannel,
    private readonly revealWorkspace: (workspaceId: string) => Promise<void>,
  ) {}

  /**
   * A quick pick whose typed text can become a row (`typedItem`), shown first.
   * Enter on a row with a problem does nothing; its problem is on the row.
   * Enter right after a key takes the text as typed (acceptedItem).
   */
  pick<T extends PickItem>(items: readonly T[], options: PickOptions<T>): Promise<T | undefined> {
    const row = (source: T, typed = false) => ({
      label: source.label,
      description: source.description,
      detail: source.problem ? `$(warning) ${source.problem}` : source.detail,
      kind: source.kind === 'separator' ? vscode.QuickPickItemKind.Separator : vscode.QuickPickItemKind.Default,
      alwaysShow: typed,
      typed,
      source,
    });
    const rows = items.map((item) => row(item));
    const quickPick = vscode.window.createQuickPick<(typeof rows)[number]>();
    Object.assign(quickPick, { title: options.title, placeholder: options.placeHolder, matchOnDescription: true, items: rows });
    const { typedItem } = options;
    if (typedItem) {
      quickPick.onDidChangeValue((value) => {
        const typed = typedItem(value);
        quickPick.items = typed ? [row(typed, true), ...rows] : rows;
      });
    }
    return new Promise((resolve) => {
      quickPick.onDidAccept(() => {
        const chosen = acceptedItem(quickPick.activeItems[0], quickPick.value, typedItem);
        if (!chosen || chosen.problem) return;
        resolve(chosen);
        quickPick.hide();
      });
      quickPick.onDidHide(() => {
        resolve(undefined);
        quickPick.dispose();
      });
      quickPick.show();
    });
  }

  input(options: InputOptions): Promise<string | undefined> {
    return Promise.resolve(
      vscode.window.showInputBox({
        title: options.title,
        prompt: options.prompt,
        placeHolder: options.placeHolder,
        value: options.value,
        valueSelection: options.value ? [options.value.length, options.value.length] : undefined,
        validateInput: options.validate,
        ignoreFocusOut: true,
      }),
    );
  }

  async confirm<A extends string>(message: string, detail: string, ...actions: A[]): Promise<A | undefined> {
    return vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions);
  }

  async info<A extends string>(message: string, ...actions: A[]): Promise<A | undefined> {
    return vscode.window.showInformationMessage(message, ...actions);
  }

  async warn<A extends string>(message: string, ...actions: A[]): Promise<A | undefined> {
    return vscode.window.showWarningMessage(message, ...actions);
  }

  async error<A extends string>(message: string, ...actions: A[]): Promise<A | undefined> {
    return vscode.window.showErrorMessage(message, ...actions);
  }

  withProgress<T>(title: string, task: () => Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: { viewId: VIEW_ID }, title }, task));
  }

  withCancellableProgress<T>(title: string, task: (report: (message: string) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        const abort = new AbortController();
        const cancelled = token.onCancellationRequested(() => abort.abort());
        return task((message) => progress.report({ message }), abort.signal).finally(() => cancelled.dispose());
      }),
    );
  }

  attachTerminal(options: { tmuxName: string; title: string; argv: readonly string[]; cwd?: string }): void {
    this.terminals.attach(options);
  }

  async copyToClipboard(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
  }

  async openFolderInNewWindow(path: string): Promise<void> {
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(path), { forceNewWindow: true });
  }

  async openFile(path: string): Promise<void> {
    await vscode.window.showTextDocument(vscode.Uri.file(path), { preview: true });
  }

  async openExternal(url: string): Promise<void> {
    await vscode.env.openExternal(vscode.Uri.parse(url));
  }

  async openSettings(settingId: string): Promise<void> {
    await vscode.commands.executeCommand('workbench.action.openSettings', settingId);
  }

  reveal(workspaceId: string): Promise<void> {
    return this.revealWorkspace(workspaceId);
  }

  showLog(): void {
    this.log.show(true);
  }

  activeUntitledText(): string | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return document?.isUntitled ? document.getText() : undefined;
  }

  async showText(title: string, text: string): Promise<void> {
    const document = await vscode.workspace.openTextDocument(readOnlyTexts.uri(title, `${title}\n\n${text}\n`));
    await vscode.window.showTextDocument(document, { preview: true });
  }

  async openDiff(diff: FileDiff): Promise<void> {
    await vscode.commands.executeCommand('vscode.diff', diffSideUri(diff.left), diffSideUri(diff.right), diff.title, { preview: true });
  }

  async createPullRequestInExtension(): Promise<boolean> {
    if (!vscode.extensions.getExtension('GitHub.vscode-pull-request-github')) return false;
    await vscode.commands.executeCommand('pr.create');
    return true;
  }

  async openDiffs(title: string, diffs: readonly FileDiff[]): Promise<void> {
    const resources = diffs.map((diff) => [vscode.Uri.file(diff.resource), diffSideUri(diff.left), diffSideUri(diff.right)]);
    await vscode.commands.executeCommand('vscode.changes', title, resources);
  }

  activeSelection(): EditorSelection | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) return undefined;
    const { start, end } = editor.selection;
    // A selection that ends at the start of a line does not take that line.
    const endLine = end.character === 0 && end.line > start.line ? end.line : end.line + 1;
    return { path: editor.document.uri.fsPath, startLine: start.line + 1, endLine, text: editor.document.getText(editor.selection) };
  }
}
