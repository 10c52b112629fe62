import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { WorkspaceError, errorMessage, failed } from '../errors';
import { privateFolder } from '../privateFolder';
import type { ProjectStep } from '../project/projectFile';
import type { WorkspaceRecord } from '../store/records';
import { localTime } from '../time';
import { StageError, type LifecycleContext } from './context';
import type { WorkspaceVariables } from './workspaceEnvironment';

/** The two stages made of steps. */
export type StepStage = 'setup' | 'teardown';

export interface StepRun {
  /** A step that already succeeded in this worktree (Retry Setup resumes after it). */
  readonly done?: (step: ProjectStep) => boolean;
  /** When all the steps together must have finished (milliseconds since the epoch). */
  readonly deadline?: number;
  /** The limit in words, for the message (`2 minutes`). */
  readonly timeoutWords?: string;
  /** Aborting stops the running step. */
  readonly signal?: AbortSignal;
}

/** How long a stopped step's processes get between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 3000;

/**
 * Setup and teardown steps: each one a stage of its own in the workspace's
 * events (started, then ok or failed with its duration), its output appended
 * to the workspace's private setup log. The first failure stops the run.
 */
export class ProjectSteps {
  constructor(
    private readonly context: LifecycleContext,
    private readonly variables: WorkspaceVariables = async () => ({}),
  ) {}

  /** Where the steps' output goes. */
  logPath(workspaceId: string): string {
    return join(this.context.options.stateDir, 'logs', `${workspaceId}.setup.log`);
  }

  async run(record: WorkspaceRecord, stage: StepStage, steps: readonly ProjectStep[], options: StepRun = {}): Promise<void> {
    const pending = steps.filter((step) => !options.done?.(step));
    if (pending.length === 0) return;
    const log = await this.openLog(record);
    try {
      for (const step of pending) await this.runOne(record, stage, step, log, options);
    } finally {
      await new Promise<void>((done) => log.end(done));
    }
  }

  /** Records every step skipped, with why (declined, not trusted). */
  async skip(record: WorkspaceRecord, stage: StepStage, steps: readonly ProjectStep[], why: string): Promise<void> {
    this.context.log.info(`workspace ${record.id}: ${stage} skipped: ${why}`);
    for (const step of steps) await this.context.store.addSetupEvent(record.id, { stage, step: step.name, outcome: 'skipped', at: Date.now(), detail: why });
    this.context.changed(record.id);
  }

  private async openLog(record: WorkspaceRecord): Promise<WriteStream> {
    const logPath = this.logPath(record.id);
    // Step output may print tokens: the folder and the log are private.
    await privateFolder(join(logPath, '..'));
    await this.context.store.update(record.id, { setupLog: logPath });
    return createWriteStream(logPath, { flags: 'a', mode: 0o600 });
  }

  private async runOne(record: WorkspaceRecord, stage: StepStage, step: ProjectStep, log: WriteStream, options: StepRun): Promise<void> {
    const { store } = this.context;
    const started = Date.now();
    await store.addSetupEvent(record.id, { stage, step: step.name, outcome: 'started', at: started });
    this.context.changed(record.id);
    try {
      const detail = await this.runCommand(record, stage, step, log, options);
      await this.context.step(`${stage}:step-done`);
      await store.addSetupEvent(record.id, { stage, step: step.name, outcome: 'ok', at: Date.now(), ms: Date.now() - started, detail, digest: stepDigest(step) });
      this.context.changed(record.id);
    } catch (error) {
      await store.addSetupEvent(record.id, { stage, step: step.name, outcome: 'failed', at: Date.now(), ms: Date.now() - started, detail: errorMessage(error) });
      this.context.changed(record.id);
      throw new StageError(stage, error);
    }
  }

  /** One step's command line in the worktree; its output and exit in the log. */
  private async runCommand(record: WorkspaceRecord, stage: StepStage, step: ProjectStep, log: WriteStream, options: StepRun): Promise<string> {
    const named = step.name === step.run ? '' : ` [${step.name}]`;
    log.write(`\n=== ${localTime(Date.now())} ${stage}${named} ${record.worktreePath}\n$ ${step.run}\n`);
    // A step is a shell command line (the user's, or the team's approved file), so a shell runs it.
    const child = execa('/bin/sh', ['-c', step.run], {
      cwd: record.worktreePath,
      env: await this.stepEnvironment(record),
      extendEnv: false,
      stdin: 'ignore',
      all: true,
      buffer: false,
      reject: false,
      // Its own process group, so a timeout or cancel stops what the step started too.
      detached: true,
    });
    child.all?.pipe(log, { end: false });
    const stop = stopper(child.pid, options, (error) => this.context.log.warn(`workspace ${record.id}: ${errorMessage(error)}`));
    try {
      const result = await child;
      const why = stop.why();
      log.write(`=== ${why ?? `exit ${result.exitCode ?? result.signal}`}\n`);
      if (why === undefined && result.exitCode === 0) return step.name === step.run ? `"${step.run}" succeeded` : `"${step.name}" succeeded`;
      const how = why ?? (result.exitCode === undefined ? `was stopped by ${result.signal}` : `exited with ${result.exitCode}`);
      // One sentence that names its stage; the log's path is behind Show Setup Log.
      const what = step.name === step.run ? `The ${stage} command \`${step.run}\`` : `The ${stage} step "${step.name}" (\`${step.run}\`)`;
      throw failed(`${what} ${how}.`, { namesStage: true });
    } finally {
      stop.dispose();
    }
  }

  /**
   * The environment setup and teardown steps run with. One place, so the
   * workspace's own variables (ports, names, the project file's `env`) are
   * added here and reach both.
   */
  private async stepEnvironment(record: WorkspaceRecord): Promise<NodeJS.ProcessEnv> {
    return { ...(this.context.options.environment ?? process.env), ...(await this.variables(record.id)) };
  }
}

/** What a step's `ok` event keeps of its command line, so a resume can tell an edited step from the one that ran. */
export function stepDigest(step: ProjectStep): string {
  return createHash('sha256').update(step.run).digest('hex').slice(0, 16);
}

/** Stops a step's process group at its deadline or when its signal aborts; `why` says which happened. */
function stopper(pid: number | undefined, options: StepRun, report: (error: unknown) => void): { why(): string | undefined; dispose(): void } {
  let why: string | undefined;
  const timers: NodeJS.Timeout[] = [];
  const stop = (reason: string) => {
    if (why !== undefined || pid === undefined) return;
    why = reason;
    killGroup(pid, 'SIGTERM', report);
    timers.push(setTimeout(() => killGroup(pid, 'SIGKILL', report), KILL_GRACE_MS).unref());
  };
  const onAbort = () => stop('was cancelled');
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort);
  if (options.deadline !== undefined) {
    const left = Math.max(0, options.deadline - Date.now());
    timers.push(setTimeout(() => stop(`timed out (${options.timeoutWords ?? 'its time limit'})`), left));
  }
  return {
    why: () => why,
    dispose: () => {
      options.signal?.removeEventListener('abort', onAbort);
      timers.forEach(clearTimeout);
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals, report: (error: unknown) => void): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group has ended already, which is what stopping wants.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') report(new WorkspaceError('failed', `could not stop a step's processes with ${signal}: ${errorMessage(error)}`));
  }
}
