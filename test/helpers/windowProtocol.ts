import type { LaunchRequest } from '../../src/core/lifecycle/RuntimeLifecycle';
import type { ResumableRecord } from '../../src/core/store/records';

/** How a window process (`window.child.ts`) builds its lifecycle. */
export interface WindowConfig {
  readonly tmuxCommand: readonly string[];
  readonly tmuxEnvironment: Readonly<Record<string, string>>;
  /** The main process's copy of `globalState`, shared by every window's `SharedMemento`. */
  readonly storeFile: string;
  /** The shared global storage: lock files, handoff files, setup logs. */
  readonly stateDir: string;
  readonly lockStaleMs: number;
  readonly orphanGraceMs: number;
  readonly reapOrphans: boolean;
  /** `tmuxWorkspaces.ports.base` as the window's settings have it (default: the extension's). */
  readonly portBase?: number;
  /** Ends the process with SIGKILL when a transition reaches `step` for the `occurrence`-th time. */
  readonly crashAt?: { readonly step: string; readonly occurrence: number };
}

export type WindowRequest =
  | { readonly op: 'start' }
  /** Disposes the lifecycle and starts a fresh one (activation reconcile), as a window reload does. */
  | { readonly op: 'reload' }
  | { readonly op: 'create'; readonly repoPath: string; readonly branch: string; readonly setupCommand?: string }
  | { readonly op: 'retrySetup'; readonly workspaceId: string; readonly setupCommand?: string }
  | { readonly op: 'launch'; readonly workspaceId: string; readonly request: LaunchRequest }
  | { readonly op: 'stop'; readonly key: string }
  | { readonly op: 'delete'; readonly workspaceId: string; readonly force: boolean }
  | { readonly op: 'reconcile'; readonly activation?: boolean }
  | { readonly op: 'listOrphans' }
  /** Records a resumable agent through the window's store, as exit collection does after a reboot. */
  | { readonly op: 'putResumable'; readonly record: ResumableRecord }
  | { readonly op: 'resume'; readonly key: string }
  /** Writes one minimal workspace record per id through the window's store, one after another; resolves to each write's milliseconds. */
  | { readonly op: 'putWorkspaces'; readonly ids: readonly string[] }
  | { readonly op: 'forgetWorkspaces'; readonly ids: readonly string[] }
  /** The workspace ids this window's copy of globalState holds. */
  | { readonly op: 'workspaceIds' }
  | { readonly op: 'installId' }
  /** Resolves once every globalState write this window has seen has reached its copy. */
  | { readonly op: 'settle' }
  /** The transition steps passed since the last `steps`, in order. */
  | { readonly op: 'steps' }
  /** Takes and releases one lock key; resolves to the milliseconds it waited. */
  | { readonly op: 'lock'; readonly key: string }
  /** Disposes the lifecycle (its watcher client too) and ends the process, as a window that closes. */
  | { readonly op: 'exit' };

export type WindowReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly kind: string; readonly message: string };

export type WindowMessage = WindowReply | { readonly ready: true };
