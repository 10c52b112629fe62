import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeSessionName } from '../../src/core/naming';
import type { RecordStore } from '../../src/core/store/RecordStore';
import { git } from './gitRepo';
import type { TmuxFixture } from './tmuxFixture';

const STATUSES = new Set(['creating', 'ready', 'error', 'deleting', 'deletion_failed', 'archiving', 'archived', 'archive_failed']);

/** A worktree a test made dirty: it must keep `file` unless a forced delete ran on it. */
export interface DirtyMark {
  readonly path: string;
  readonly file: string;
  readonly forced: boolean;
  /** The worktree counts as dirtied only once this file exists (a setup command dirties it). */
  readonly onlyIf?: string;
}

/** What the invariants are checked against: the records, the repository, the tmux server. */
export interface InvariantWorld {
  readonly store: RecordStore;
  readonly repoPath: string;
  readonly dirty: readonly DirtyMark[];
  readonly tmux: TmuxFixture;
}

export interface ListedSession {
  readonly name: string;
  readonly owner: string;
  readonly launchId: string;
}

/** Every session on the fixture's server with its markers, asked as a user at another terminal would. */
export async function liveSessions(fixture: TmuxFixture): Promise<ListedSession[]> {
  // -u: without a UTF-8 locale tmux prints the tab separator as `_`.
  const listing = await fixture.tmux('-u', 'list-sessions', '-F', '#{session_name}\t#{@tw_owner}\t#{@tw_launch}');
  return listing
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, owner, launchId] = line.split('\t');
      return { name, owner, launchId };
    });
}

/**
 * The invariants every transition, fault and crash must leave true once a
 * window has reconciled (with reaping on and the grace period passed):
 * records and tmux agree both ways, dirty work survives unless forced, git
 * holds no worktree or branch that no record accounts for, every status is
 * one of the five, and no workspace has two shells.
 */
export async function checkInvariants(world: InvariantWorld): Promise<void> {
  const { store } = world;
  const owner = await store.installId();
  const live = await liveSessions(world.tmux);
  const liveByName = new Map(live.map((session) => [session.name, session]));
  const workspaces = store.workspaces();
  const sessions = store.sessions();
  const recorded = new Set([...sessions.map((s) => s.tmuxName), ...workspaces.map((w) => w.baseSession)]);

  const unrecorded = live.filter((session) => session.owner === owner && !recorded.has(session.name)).map((s) => s.name);
  assert.deepEqual(unrecorded, [], 'no owner-marked tmux session without a record after reaping');

  const dead = sessions
    .filter((record) => {
      const session = liveByName.get(record.tmuxName);
      return !session || (session.launchId !== '' && session.launchId !== record.launchId);
    })
    .map((record) => record.tmuxName);
  assert.deepEqual(dead, [], 'no session record without its live tmux session after reconcile');

  const workspaceIds = new Set(workspaces.map((w) => w.id));
  assert.deepEqual(sessions.filter((s) => !workspaceIds.has(s.workspaceId)).map((s) => s.key), [], 'no session record without its workspace');

  for (const workspace of workspaces) {
    assert.ok(STATUSES.has(workspace.status), `workspace ${workspace.branch} has a known status, not "${workspace.status}"`);
    const shellRecords = sessions.filter((s) => s.workspaceId === workspace.id && s.kind === 'shell');
    assert.ok(shellRecords.length <= 1, `workspace ${workspace.branch} has at most one shell record, not ${shellRecords.length}`);
    const shellPrefix = runtimeSessionName(workspace.id, 'shell').replace(/[^-]+$/, '');
    const liveShells = live.filter((session) => session.owner === owner && session.name.startsWith(shellPrefix));
    assert.ok(liveShells.length <= 1, `workspace ${workspace.branch} runs at most one shell, not ${liveShells.map((s) => s.name).join(', ')}`);
  }

  for (const mark of world.dirty) {
    if (mark.forced || (mark.onlyIf && !existsSync(mark.onlyIf))) continue;
    assert.ok(existsSync(join(mark.path, mark.file)), `the dirty worktree ${mark.path} was removed without force`);
  }

  const worktrees = (await git(world.repoPath, 'worktree', 'list', '--porcelain'))
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length))
    .filter((path) => path !== world.repoPath && existsSync(path));
  const recordedWorktrees = new Set(workspaces.map((w) => w.worktreePath));
  assert.deepEqual(worktrees.filter((path) => !recordedWorktrees.has(path)), [], 'no worktree without a workspace record');

  const branches = (await git(world.repoPath, 'for-each-ref', '--format=%(refname:short)', 'refs/heads')).split('\n').filter(Boolean);
  const recordedBranches = new Set(workspaces.map((w) => w.branch));
  assert.deepEqual(branches.filter((b) => b !== 'main' && !recordedBranches.has(b)), [], 'no branch left without a workspace record');
}
