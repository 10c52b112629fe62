import type { LoadedProject, ProjectStep } from '../project/projectFile';
import { projectGate } from '../project/projectGate';
import type { SetupEvent, WorkspaceRecord, WorkspaceStatus } from '../store/records';
import type { LifecycleContext } from './context';
import { stepDigest, type ProjectSteps } from './ProjectSteps';

/**
 * The setup stage: the user's setup command when the setting has one (it
 * replaces the project file's steps, for this user), else the project file's
 * steps once trusted and approved. A step that succeeded in this worktree is
 * not run again (unless its command was edited since), so Retry Setup
 * resumes at the step that failed.
 */
export class ProjectSetup {
  constructor(
    private readonly context: LifecycleContext,
    private readonly steps: ProjectSteps,
  ) {}

  async run(record: WorkspaceRecord, setupCommand: string | undefined, project: LoadedProject | undefined, signal?: AbortSignal): Promise<void> {
    const command = setupCommand?.trim();
    const done = doneInThisWorktree(record.setupEvents);
    if (command) return this.steps.run(record, 'setup', [{ name: command, run: command }], { done, signal });
    const steps = project?.file.setup ?? [];
    if (!project || steps.length === 0) return;
    const { options } = this.context;
    const answer = await projectGate(project, record.repoPath, { stateDir: options.stateDir, isTrusted: options.isTrusted, approve: options.approveProject });
    if (!answer.run) return this.steps.skip(record, 'setup', steps.filter((step) => !done(step)), answer.why);
    await this.steps.run(record, 'setup', steps, { done, signal });
  }
}

/**
 * Whether a setup step succeeded, as it reads now (its name and its command
 * line), since the worktree now in place was made. An event written before
 * digests were kept matches by name, as it did then.
 */
function doneInThisWorktree(events: readonly SetupEvent[]): (step: ProjectStep) => boolean {
  const lastWorktree = events.map((event) => event.stage === 'worktree' && event.outcome === 'ok').lastIndexOf(true);
  const done = events.filter((event, i) => i > lastWorktree && event.stage === 'setup' && event.outcome === 'ok' && event.step !== undefined);
  return (step) => done.some((event) => event.step === step.name && (event.digest === undefined || event.digest === stepDigest(step)));
}

/** Whether the newest setup attempt skipped steps (declined or not trusted), so a `ready` workspace may retry setup. */
export function setupSkipped(record: WorkspaceRecord): boolean {
  const events = record.setupEvents;
  const lastTerminal = events.map((event) => event.stage === 'terminal' && (event.outcome === 'started' || event.outcome === 'skipped')).lastIndexOf(true);
  return events.some((event, i) => i > lastTerminal && event.stage === 'setup' && event.outcome === 'skipped');
}

/** The statuses Retry Setup starts from: `error`, and `ready` when steps were skipped (asked again now). */
export function retryableFrom(record: WorkspaceRecord): WorkspaceStatus[] {
  return setupSkipped(record) ? ['error', 'ready'] : ['error'];
}
