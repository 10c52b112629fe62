import * as vscode from 'vscode';

/** The scheme of read-only texts the extension shows (saved output, a failed agent's last lines). */
export const TEXT_SCHEME = 'tmux-workspaces-text';

/** How many shown texts are kept for their documents to read (an old tab shows empty once dropped). */
const KEPT_TEXTS = 20;

/**
 * Serves texts as read-only documents: a virtual document cannot be edited
 * or saved, and closing it asks nothing (an untitled one would ask to save).
 */
export class ReadOnlyTexts implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private next = 0;

  register(): vscode.Disposable {
    return vscode.workspace.registerTextDocumentContentProvider(TEXT_SCHEME, this);
  }

  /** A document for `text`, its title as the file name the tab shows. */
  uri(title: string, text: string): vscode.Uri {
    this.next += 1;
    const path = `/${this.next}/${title.replace(/[/\\]/g, '-')}.log`;
    this.texts.set(path, text);
    if (this.texts.size > KEPT_TEXTS) this.texts.delete(this.texts.keys().next().value!);
    return vscode.Uri.from({ scheme: TEXT_SCHEME, path });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }
}

/** The one instance the host shows texts through; extension.ts registers it. */
export const readOnlyTexts = new ReadOnlyTexts();
