import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { errorMessage } from '../errors';
import { silentLog, type Logger } from '../log';
import { GONE, exactPane, type TmuxClient } from '../tmux/TmuxClient';
import { migrate } from './RecordStore';
import type { SessionRecord, WorkspaceRecord, WorkspaceStatus } from './records';

/**
 * Truth beside the resource: a copy of each record where the thing it
 * describes lives, so a record lost from globalState (or brought back after a
 * delete) can be told from the resource itself. A session's record rides on
 * its tmux session as a user option; a workspace's sits in its worktree's own
 * git admin folder (`git rev-parse --absolute-git-dir` inside the worktree),
 * which git removes with the worktree and no checkout ever shows.
 */

/** The tmux user option that carries a session's full record. */
export const SESSION_RECORD_OPTION = '@tmux-workspaces-record';
/** The file, inside a worktree's git admin folder, that carries its workspace's record. */
export const WORKSPACE_MIRROR_FILE = 'tmux-workspaces.json';

/** A session's record as one line of JSON, for `SESSION_RECORD_OPTION`. */
export function serialiseSession(record: SessionRecord): string {
  return JSON.stringify(record);
}

/** A session record read back from its tmux option; undefined for anything that is not one (or from a newer schema). */
export function parseSession(text: string | undefined, log: Logger = silentLog): SessionRecord | undefined {
  const record = parseRecord<SessionRecord>(text, log);
  return record && typeof record.key === 'string' && typeof record.createdAt === 'number' ? record : undefined;
}

function parseRecord<T>(text: string | undefined, log: Logger): T | undefined {
  if (!text?.trim()) return undefined;
  try {
    return migrate<T>(JSON.parse(text));
  } catch (error) {
    // Not JSON: someone else's option value, or a truncated one; it is no evidence either way.
    log.debug(`a mirrored record that is not one was ignored: ${errorMessage(error)}`);
    return undefined;
  }
}

/** The mirror file of the worktree at `worktreePath`. */
export async function workspaceMirrorPath(worktreePath: string, gitCommand = 'git'): Promise<string> {
  const { stdout } = await execa(gitCommand, ['rev-parse', '--absolute-git-dir'], { cwd: worktreePath });
  return join(stdout.trim(), WORKSPACE_MIRROR_FILE);
}

/** What a worktree carries: its workspace's record and the installation that wrote it. */
export interface WorkspaceMirror {
  readonly owner: string;
  readonly record: WorkspaceRecord;
}

/** Writes the workspace's record beside its worktree, with `owner` (this installation's id), whole or not at all (a temporary file, then a rename). */
export async function writeWorkspaceMirror(record: WorkspaceRecord, owner: string, gitCommand = 'git'): Promise<void> {
  const file = await workspaceMirrorPath(record.worktreePath, gitCommand);
  await writeFile(`${file}.tmp`, JSON.stringify({ owner, record } satisfies WorkspaceMirror));
  await rename(`${file}.tmp`, file);
}

/** Puts the session's full record on its tmux session. */
export async function writeSessionMirror(tmux: TmuxClient, record: SessionRecord): Promise<void> {
  await tmux.setMarkers(record.tmuxName, { [SESSION_RECORD_OPTION]: serialiseSession(record) });
}

/** The record a live tmux session carries; undefined when it carries none or is gone. */
export async function readSessionMirror(tmux: TmuxClient, name: string, log: Logger = silentLog): Promise<SessionRecord | undefined> {
  const value = await tmux.run(['show-options', '-q', '-v', '-t', exactPane(name), SESSION_RECORD_OPTION], { goneIsEmpty: true });
  return value === GONE ? undefined : parseSession(value, log);
}

/** The record mirrored beside the worktree, or undefined when there is none (or the folder is not a worktree). */
export async function readWorkspaceMirror(worktreePath: string, options: { gitCommand?: string; log?: Logger } = {}): Promise<WorkspaceMirror | undefined> {
  const log = options.log ?? silentLog;
  let file: string;
  try {
    file = await workspaceMirrorPath(worktreePath, options.gitCommand);
  } catch (error) {
    // Not a git worktree (any more): nothing beside it to read.
    log.debug(`no workspace mirror at ${worktreePath}: ${errorMessage(error)}`);
    return undefined;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let mirror: { owner?: unknown; record?: unknown } | undefined;
  try {
    mirror = JSON.parse(text) as typeof mirror;
  } catch (error) {
    // A truncated or foreign file is no evidence either way.
    log.debug(`the workspace mirror ${file} is not one, ignored: ${errorMessage(error)}`);
    return undefined;
  }
  const record = migrate<WorkspaceRecord>(mirror?.record);
  return record && typeof record.id === 'string' && typeof mirror?.owner === 'string' ? { owner: mirror.owner, record } : undefined;
}

// ------------------------------------------------------------------ repair

/** What the resources say: every live tmux session and every worktree that exists, with what each carries. */
export interface Evidence {
  /** This installation's owner marker: only sessions carrying it are ours to restore. */
  readonly installId: string;
  readonly sessions: readonly { readonly name: string; readonly owner?: string; readonly record?: SessionRecord }[];
  /** Worktrees that exist (checked by the caller), with the record mirrored beside each and who wrote it. */
  readonly worktrees: readonly { readonly path: string; readonly owner?: string; readonly record?: WorkspaceRecord }[];
}

export interface RecordsInStore {
  readonly workspaces: readonly WorkspaceRecord[];
  readonly sessions: readonly SessionRecord[];
}

export interface Repair {
  /** Records missing from globalState while their resource carries ours. */
  readonly restore: { readonly workspaces: WorkspaceRecord[]; readonly sessions: SessionRecord[] };
  /** Records that came back without their resource (a delete another window finished). */
  readonly retire: { readonly workspaces: string[]; readonly sessions: string[] };
}

/** Statuses that promise a worktree on disk: without one, the record outlived its delete. */
const NEEDS_WORKTREE: readonly WorkspaceStatus[] = ['ready', 'deleting'];

/**
 * Which records to restore and which to retire, from what globalState holds
 * and what the resources carry. Pure; the caller writes the result through the
 * store and says so in the log. Records in `creating`, `error`,
 * `deletion_failed` and the archive statuses (`archiving`, `archived`,
 * `archive_failed`: an archived workspace has no worktree on purpose) are
 * never retired: they are visible and the user acts on them.
 */
export function repair(store: RecordsInStore, evidence: Evidence): Repair {
  const workspaceIds = new Set(store.workspaces.map((record) => record.id));
  const worktreePaths = new Set(evidence.worktrees.map((worktree) => worktree.path));
  const retireWorkspaces = store.workspaces
    .filter((record) => NEEDS_WORKTREE.includes(record.status) && !worktreePaths.has(record.worktreePath))
    .map((record) => record.id);
  const restoreWorkspaces = evidence.worktrees
    .filter((worktree) => worktree.owner === evidence.installId && worktree.record?.worktreePath === worktree.path)
    .map((worktree) => worktree.record)
    .filter((record): record is WorkspaceRecord => record !== undefined && !workspaceIds.has(record.id));
  const kept = new Set([...workspaceIds, ...restoreWorkspaces.map((record) => record.id)].filter((id) => !retireWorkspaces.includes(id)));

  const sessionKeys = new Set(store.sessions.map((record) => record.key));
  const live = new Set(evidence.sessions.map((session) => session.name));
  const restoreSessions = evidence.sessions
    .filter((session) => session.owner === evidence.installId && session.record && session.record.tmuxName === session.name)
    .map((session) => session.record!)
    .filter((record) => !sessionKeys.has(record.key) && kept.has(record.workspaceId));
  const retireSessions = store.sessions
    .filter((record) => !live.has(record.tmuxName) || !kept.has(record.workspaceId))
    .map((record) => record.key);
  return {
    restore: { workspaces: restoreWorkspaces, sessions: restoreSessions },
    retire: { workspaces: retireWorkspaces, sessions: retireSessions },
  };
}
