import { existsSync } from 'node:fs';
import { errorMessage } from '../errors';
import { loadProjectFile, type LoadedProject } from '../project/projectFile';
import { projectGate } from '../project/projectGate';
import type { WorkspaceRecord } from '../store/records';
import { StageError, type LifecycleContext } from './context';
import { ProjectSteps } from './ProjectSteps';
import type { WorkspaceVariables } from './workspaceEnvironment';

/** The default limit on all teardown steps together. */
export const DEFAULT_TEARDOWN_MS = 2 * 60_000;

/**
 * The project file's teardown steps, run in the worktree before a delete or
 * archive removes anything (a database, a container, a tunnel that setup
 * started). A failure or timeout throws a `teardown` StageError, so the delete
 * stops as `deletion_failed` with everything in place; forced, the failure
 * is logged and recorded and the delete goes on. With the workspace's lock.
 */
export class WorkspaceTeardown {
  private readonly steps: ProjectSteps;

  constructor(
    private readonly context: LifecycleContext,
    /** The workspace's variables with the block it holds, or none (never one allocated now). */
    variables?: WorkspaceVariables,
  ) {
    this.steps = new ProjectSteps(context, variables);
  }

  async run(record: WorkspaceRecord, force: boolean): Promise<void> {
    if (!existsSync(record.worktreePath)) return;
    const project = await this.project(record, force);
    const steps = project?.file.teardown ?? [];
    if (!project || steps.length === 0) return;
    const { options } = this.context;
    const answer = await projectGate(project, record.repoPath, { stateDir: options.stateDir, isTrusted: options.isTrusted, approve: options.approveProject });
    if (!answer.run) return this.steps.skip(record, 'teardown', steps, answer.why);
    const limit = options.teardownTimeoutMs?.() ?? DEFAULT_TEARDOWN_MS;
    try {
      await this.steps.run(record, 'teardown', steps, { deadline: Date.now() + limit, timeoutWords: `limit ${Math.round(limit / 1000)} s, tmuxWorkspaces.teardownTimeoutSeconds` });
      await this.context.step('teardown:done');
    } catch (error) {
      if (!force) throw error;
      this.context.log.warn(`workspace ${record.id}: teardown failed, going on because the delete is forced: ${errorMessage(error)}`);
    }
  }

  /** The file as it is now; a bad one stops an unforced delete (its teardown cannot be known). */
  private async project(record: WorkspaceRecord, force: boolean): Promise<LoadedProject | undefined> {
    if (!existsSync(record.repoPath)) return undefined;
    try {
      return await loadProjectFile(record.repoPath);
    } catch (error) {
      if (!force) throw new StageError('teardown', error);
      this.context.log.warn(`workspace ${record.id}: teardown skipped, the project file is not valid (the delete is forced): ${errorMessage(error)}`);
      return undefined;
    }
  }
}
