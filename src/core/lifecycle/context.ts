import { existsSync } from 'node:fs';
import { WorkspaceError, errorMessage } from '../errors';
import type { GitClient } from '../git/GitClient';
import { logFailure, type Logger } from '../log';
import { writeWorkspaceMirror } from '../store/RecordMirror';
import type { RecordStore } from '../store/RecordStore';
import type { SessionRecord, SetupStage, WorkspaceRecord } from '../store/records';
import { PaneLauncher } from '../tmux/PaneLauncher';
import { ScrollbackFiles } from '../scrollback/ScrollbackFiles';
import type { LiveSession, TmuxClient } from '../tmux/TmuxClient';
import type { LifecycleChange, LifecycleOptions } from './types';

/**
 * What every piece of the lifecycle is handed by the coordinator. Pieces run
 * with the workspace's lock already held (the coordinator takes it) and never
 * call each other: what one needs of another arrives as a function.
 */
export interface LifecycleContext {
  readonly tmux: TmuxClient;
  readonly git: GitClient;
  readonly store: RecordStore;
  readonly panes: PaneLauncher;
  /** Sessions' saved history (`<state>/scrollback`). */
  readonly scrollback: ScrollbackFiles;
  readonly options: LifecycleOptions;
  readonly log: Logger;
  /** A crash checkpoint between two steps of a transition; its name is what the crash tests stop at. */
  step(name: string): Promise<void>;
  /** Reports a change here and to other windows (through the change marker). */
  emit(change: LifecycleChange): void;
  /** `emit` of "this workspace's record changed". */
  changed(workspaceId: string): void;
  /** This install's owner marker, the one tmux carries on every session it made for us. */
  ownerId(): Promise<string>;
  /** Starts the session watcher if it is not running (a session of ours now exists). */
  watch(): void;
  /**
   * Copies the workspace's record, as the store now has it, into its
   * worktree's git folder (`RecordMirror`), when the worktree exists. A failed
   * copy is logged, never thrown: the record itself was written.
   */
  mirror(workspaceId: string): Promise<void>;
}

/** The context over `options`; `emit` reports a change (here and to other windows), `watch` starts the session watcher. */
export function createContext(options: LifecycleOptions, log: Logger, emit: (change: LifecycleChange) => void, watch: () => void): LifecycleContext {
  let ownerId: Promise<string> | undefined;
  const context: LifecycleContext = {
    tmux: options.tmux,
    git: options.git,
    store: options.store,
    panes: new PaneLauncher(options.stateDir, options.tmux.command[0], { environment: options.environment, log }),
    scrollback: new ScrollbackFiles(options.stateDir, options.tmux, log, options.scrollbackLines),
    options,
    log,
    step: async (name) => options.onStep?.(name),
    emit,
    changed: (workspaceId) => emit({ type: 'workspace', workspaceId }),
    // A failed first write is not kept: it would fail every later launch in this window.
    ownerId: () =>
      (ownerId ??= options.store.installId().catch((error: unknown) => {
        ownerId = undefined;
        throw error;
      })),
    watch,
    mirror: async (workspaceId) => {
      const record = options.store.workspace(workspaceId);
      if (!record || !existsSync(record.worktreePath)) return;
      await writeWorkspaceMirror(record, await context.ownerId()).catch(logFailure(log, `mirroring the record of workspace ${workspaceId} into its worktree`));
    },
  };
  return context;
}

/** A failure inside one stage of a transition; its message gets the stage as prefix, unless it names the stage itself (`details.namesStage`). */
export class StageError extends Error {
  constructor(
    readonly stage: SetupStage,
    readonly cause: unknown,
  ) {
    super(cause instanceof WorkspaceError && cause.details?.namesStage === true ? cause.message : `${stage}: ${errorMessage(cause)}`);
  }
}

export function requireWorkspace(store: RecordStore, id: string): WorkspaceRecord {
  const record = store.workspace(id);
  if (!record) throw new WorkspaceError('gone', 'That workspace no longer exists.');
  return record;
}

export async function requireTmux(tmux: TmuxClient): Promise<void> {
  if (!(await tmux.available())) {
    const tooOld = await tmux.unsupported();
    if (tooOld) throw new WorkspaceError('unavailable', tooOld);
    throw new WorkspaceError('unavailable', `tmux is not installed (tried "${tmux.command[0]}"). Install tmux (for example "sudo apt install tmux" or "brew install tmux") to launch sessions.`);
  }
}

/** Without tmux on the machine there is no session to stop. */
export async function killIgnoringMissingTmux(tmux: TmuxClient, name: string): Promise<void> {
  if (!(await tmux.available())) return;
  await tmux.killSession(name);
}

export function loginShell(options: LifecycleOptions): string[] {
  return [options.shell || process.env.SHELL || '/bin/sh', '-l'];
}

/** A tmux session with our name but another launch id is a later generation, not ours. */
export function isSameLaunch(session: LiveSession, record: SessionRecord): boolean {
  return session.launchId === undefined || session.launchId === record.launchId;
}

/** A status as it reads inside a message (`deletion failed`). */
export function statusWords(record: WorkspaceRecord): string {
  return record.status.replace('_', ' ');
}
