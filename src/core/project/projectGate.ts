import { createHash, randomUUID } from 'node:crypto';
import { readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { privateFolder } from '../privateFolder';
import { PROJECT_FILE, type LoadedProject, type ProjectStep } from './projectFile';

/** What the user is asked to approve: the exact commands of one version of a repository's project file. */
export interface ProjectApproval {
  readonly repoPath: string;
  /** The file's path, for the dialog. */
  readonly file: string;
  readonly setup: readonly ProjectStep[];
  readonly teardown: readonly ProjectStep[];
  /** `changed`: an earlier version of this repository's file was approved. */
  readonly reason: 'first' | 'changed';
}

/** Whether a project file's commands may run now, and if not, why (for the setup events). */
export type GateAnswer = { readonly run: true } | { readonly run: false; readonly why: string };

export interface GateOptions {
  /** The state folder; approvals are files under `approvals/`. */
  readonly stateDir: string;
  readonly isTrusted?: () => boolean;
  readonly approve?: (request: ProjectApproval) => Promise<boolean>;
}

/**
 * Approvals of project files, one empty 0600 file per repository and content
 * hash (`approvals/<repo hash>/<file hash>`). Each approval is a file of its
 * own, created by rename, so two windows approving at once never overwrite
 * each other's (the extension's shared state object is written whole).
 */
export class ProjectApprovals {
  constructor(private readonly stateDir: string) {}

  private folder(repoPath: string): string {
    return join(this.stateDir, 'approvals', createHash('sha256').update(repoPath).digest('hex').slice(0, 32));
  }

  async isApproved(repoPath: string, hash: string): Promise<boolean> {
    try {
      return (await stat(join(this.folder(repoPath), hash))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Whether any version of this repository's file was approved. */
  async anyApproved(repoPath: string): Promise<boolean> {
    try {
      return (await readdir(this.folder(repoPath))).some((name) => !name.startsWith('.'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async approve(repoPath: string, hash: string): Promise<void> {
    const folder = this.folder(repoPath);
    await privateFolder(folder);
    const temporary = join(folder, `.${randomUUID()}`);
    await writeFile(temporary, `${repoPath}\n`, { mode: 0o600 });
    await rename(temporary, join(folder, hash));
  }
}

/**
 * Whether a project file's setup or teardown may run: never in an untrusted
 * VS Code workspace; otherwise when this exact text was approved before, or
 * the user approves it now (asked with every command of the file).
 */
export async function projectGate(project: LoadedProject, repoPath: string, options: GateOptions): Promise<GateAnswer> {
  if (!(options.isTrusted?.() ?? true)) return { run: false, why: `${PROJECT_FILE} commands do not run: the VS Code workspace is not trusted` };
  const approvals = new ProjectApprovals(options.stateDir);
  if (await approvals.isApproved(repoPath, project.hash)) return { run: true };
  if (!options.approve) return { run: false, why: `${PROJECT_FILE} commands were not approved` };
  const reason = (await approvals.anyApproved(repoPath)) ? 'changed' : 'first';
  const { setup, teardown } = project.file;
  if (!(await options.approve({ repoPath, file: project.path, setup, teardown, reason }))) {
    return { run: false, why: `${PROJECT_FILE} commands were declined; Retry Setup asks again` };
  }
  await approvals.approve(repoPath, project.hash);
  return { run: true };
}
