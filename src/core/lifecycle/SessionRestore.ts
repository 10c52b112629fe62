import { existsSync } from 'node:fs';
import { WorkspaceError, errorMessage } from '../errors';
import { isOurSessionName } from '../naming';
import type { ResumableRecord, SessionRecord, WorkspaceRecord } from '../store/records';
import type { LifecycleContext } from './context';

/** What a comeback would bring back. */
export interface RestorePlan {
  /** No session of ours runs: the machine restarted or the server was killed. */
  readonly serverGone: boolean;
  /** Ready workspaces whose base terminal is not running. */
  readonly bases: readonly WorkspaceRecord[];
  /** Sessions kept as records of what was: shells and agents, resumable or not. */
  readonly stopped: readonly ResumableRecord[];
}

export interface RestoreOutcome {
  /** Another window is restoring right now: this one did nothing. */
  readonly busy: boolean;
  /** Workspaces whose base terminal was started again. */
  readonly bases: readonly WorkspaceRecord[];
  /** Shells restored and agents resumed. */
  readonly sessions: readonly SessionRecord[];
  /** Agents left as they are, with why. */
  readonly notResumable: readonly { readonly record: ResumableRecord; readonly why: string }[];
  readonly failures: readonly { readonly label: string; readonly message: string }[];
}

/** Which part to restore: one workspace, one stopped session, or (neither) everything. */
export interface RestoreScope {
  readonly workspaceId?: string;
  readonly key?: string;
}

/** How restoring is serialised, handed in by the coordinator (pieces take no locks of their own). */
export interface RestoreLocks {
  /** Runs `task` unless another window restores now (`tryRun` of the cross-window restore lock); undefined when it did not run. */
  alone<T>(task: () => Promise<T>): Promise<T | undefined>;
  /** Runs `task` with the workspace's lock. */
  withWorkspace<T>(workspaceId: string, task: () => Promise<T>): Promise<T>;
}

export interface RestoreSteps {
  /** Starts a workspace's base terminal (printing its saved output); the caller holds the workspace's lock. */
  startBase(record: WorkspaceRecord): Promise<void>;
  /** `RuntimeLifecycle.resumeAgent`: relaunches a stopped session under its workspace's lock, once. */
  resume(stopped: ResumableRecord, environment: Readonly<Record<string, string>> | undefined): Promise<SessionRecord>;
}

/** The agent's environment for a resume (its catalog entry's variables), decided by the caller. */
export type EnvironmentFor = (stopped: ResumableRecord) => Promise<Readonly<Record<string, string>> | undefined> | Readonly<Record<string, string>> | undefined;

/**
 * The comeback after a reboot: base terminals at their worktrees with their
 * scrollback, shells the same, agents in their conversations. Inside the
 * cross-window restore lock, and each step decides from the state as it is
 * then (the base not running, the row still there), so three windows bring
 * back each session once.
 */
export class SessionRestore {
  constructor(
    private readonly context: LifecycleContext,
    private readonly locks: RestoreLocks,
    private readonly steps: RestoreSteps,
  ) {}

  async plan(scope: RestoreScope = {}): Promise<RestorePlan> {
    const { store, tmux } = this.context;
    await store.whenCurrent();
    const listing = (await tmux.available()) ? await tmux.listSessions() : [];
    const live = new Set(listing.map((session) => session.name));
    const inScope = (workspaceId: string, key?: string) => (!scope.workspaceId || scope.workspaceId === workspaceId) && (!scope.key || scope.key === key);
    return {
      serverGone: !listing.some((session) => isOurSessionName(session.name)),
      bases: scope.key ? [] : store.workspaces().filter((record) => record.status === 'ready' && !live.has(record.baseSession) && existsSync(record.worktreePath) && inScope(record.id)),
      stopped: store.resumables().filter((record) => store.workspace(record.workspaceId)?.status === 'ready' && inScope(record.workspaceId, record.key)),
    };
  }

  async restore(scope: RestoreScope = {}, environmentFor: EnvironmentFor = () => undefined): Promise<RestoreOutcome> {
    const done = await this.locks.alone(() => this.run(scope, environmentFor));
    return done ?? { busy: true, bases: [], sessions: [], notResumable: [], failures: [] };
  }

  private async run(scope: RestoreScope, environmentFor: EnvironmentFor): Promise<RestoreOutcome> {
    const plan = await this.plan(scope);
    const bases: WorkspaceRecord[] = [];
    const sessions: SessionRecord[] = [];
    const notResumable: { record: ResumableRecord; why: string }[] = [];
    const failures: { label: string; message: string }[] = [];
    const attempt = async (label: string, task: () => Promise<void>) => {
      try {
        await task();
      } catch (error) {
        // A row another window resumed meanwhile is no failure: it runs.
        if (error instanceof WorkspaceError && error.kind === 'gone') return;
        this.context.log.warn(`restoring ${label} failed: ${errorMessage(error)}`);
        failures.push({ label, message: errorMessage(error) });
      }
    };
    for (const record of plan.bases) {
      await attempt(`the terminal of ${record.branch}`, async () => {
        if (await this.startBase(record)) bases.push(record);
      });
    }
    for (const stopped of plan.stopped) {
      const why = whyNotResumable(stopped);
      if (why) notResumable.push({ record: stopped, why });
      else await attempt(stopped.label, async () => void sessions.push(await this.steps.resume(stopped, await environmentFor(stopped))));
    }
    return { busy: false, bases, sessions, notResumable, failures };
  }

  /** Under the workspace's lock, and only while its base is still not running (another window may have started it). */
  private startBase(known: WorkspaceRecord): Promise<boolean> {
    return this.locks.withWorkspace(known.id, async () => {
      const record = this.context.store.workspace(known.id);
      if (!record || record.status !== 'ready' || (await this.context.tmux.hasSession(record.baseSession))) return false;
      await this.steps.startBase(record);
      return true;
    });
  }
}

/** Why a stopped session cannot come back; undefined when it can (a shell, or an agent with its conversation and resume argv). */
export function whyNotResumable(stopped: ResumableRecord): string | undefined {
  if (stopped.kind === 'shell') return undefined;
  if (stopped.notResumable) return stopped.notResumable;
  if (!stopped.conversationId) return 'its conversation is unknown';
  if (!stopped.resumeArgv) return 'it has no resume command';
  return undefined;
}
