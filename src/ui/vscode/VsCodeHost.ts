import * as vscode from 'vscode';
import type { InputOptions, PickItem, UiHost } from '../host';
import type { AttachTerminals } from './AttachTerminals';
import { VIEW_ID } from '../ids';

/** The editor behind `UiHost`. */
export class VsCodeHost implements UiHost {
  constructor(
    private readonly terminals: AttachTerminals,
    private readonly log: vscode.LogOutputChannel,
    private readonly revealWorkspace: (workspaceId: string) => Promise<void>,
  ) {}

  async pick<T extends PickItem>(items: readonly T[], options: { title: string; placeHolder?: string }): Promise<T | undefined> {
    const quickPickItems = items.map((source) => ({
      label: source.label,
      description: source.description,
      detail: source.detail,
      kind: source.kind === 'separator' ? vscode.QuickPickItemKind.Separator : vscode.QuickPickItemKind.Default,
      source,
    }));
    const picked = await vscode.window.showQuickPick(quickPickItems, { title: options.title, placeHolder: options.placeHolder, matchOnDescription: true });
    return picked?.source;
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
    const document = await vscode.workspace.openTextDocument({ content: `${title}\n\n${text}\n`, language: 'log' });
    await vscode.window.showTextDocument(document, { preview: true });
  }
}
