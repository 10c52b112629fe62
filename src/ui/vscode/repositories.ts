import * as vscode from 'vscode';
import type { RepositorySource } from '../host';
import { logFailure, silentLog, type Logger } from '../../core/log';
import type { VsCodeSettings } from './settings';

/** The slice of the built-in Git extension's exported API (`vscode.git`, API version 1) used here. */
interface GitApi {
  readonly repositories: readonly { readonly rootUri: vscode.Uri }[];
}
interface GitExtension {
  getAPI(version: 1): GitApi;
}

/** Repositories the Git extension has open, then those in `tmuxWorkspaces.repositories`, then open folders. */
export class VsCodeRepositories implements RepositorySource {
  constructor(
    private readonly settings: VsCodeSettings,
    private readonly log: Logger = silentLog,
  ) {}

  async repositories(): Promise<string[]> {
    const found: string[] = [];
    const git = vscode.extensions.getExtension<GitExtension>('vscode.git');
    if (git) {
      try {
        const api = (git.isActive ? git.exports : await git.activate()).getAPI(1);
        found.push(...api.repositories.map((repo) => repo.rootUri.fsPath));
      } catch (error) {
        // The Git extension is disabled or failed: configured repositories and folders still work.
        logFailure(this.log, 'asking the Git extension for its repositories')(error);
      }
    }
    found.push(...this.settings.repositories());
    if (found.length === 0) found.push(...(vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath));
    return [...new Set(found)];
  }
}
