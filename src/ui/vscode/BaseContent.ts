import * as vscode from 'vscode';
import type { DiffSide } from '../host';

/** The scheme of a file's text at a workspace's base commit (the left side of its diff). */
export const BASE_SCHEME = 'tmux-workspaces-base';

interface BaseQuery {
  readonly workspace: string;
  /** A commit id, or empty for the empty side of a deleted file. */
  readonly commit: string;
  /** Relative to the worktree. */
  readonly path: string;
}

/**
 * A diff side as a URI: the file itself, or our read-only scheme on the same
 * file's path (so the editor knows its language and sees one file, not a
 * rename), what to show in the query.
 */
export function diffSideUri(side: DiffSide): vscode.Uri {
  if (side.kind === 'file') return vscode.Uri.file(side.path);
  const query: BaseQuery = side.kind === 'commit' ? { workspace: side.workspaceId, commit: side.commit, path: side.path } : { workspace: '', commit: '', path: '' };
  return vscode.Uri.file(side.resource).with({ scheme: BASE_SCHEME, query: JSON.stringify(query) });
}

/** Serves `tmux-workspaces-base:` documents from git (`git show <commit>:<path>` in the worktree). */
export class BaseContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly textAt: (workspaceId: string, commit: string, path: string) => Promise<string>) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const query = JSON.parse(uri.query) as BaseQuery;
    if (!query.commit) return '';
    return this.textAt(query.workspace, query.commit, query.path);
  }
}
