import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordStore } from '../../src/core/store/RecordStore';
import { FailingTmux } from '../helpers/faults';
import { git } from '../helpers/gitRepo';
import { workspaceError } from '../helpers/rejection';
import { useWorld } from '../helpers/world';

const AGENT = ['/bin/sh', '-c', 'echo agent ready; exec sleep 600'];

/** A commit of one new file in `cwd`. */
async function commit(cwd: string, file: string, message: string): Promise<void> {
  await writeFile(join(cwd, file), `${message}\n`);
  await git(cwd, 'add', file);
  await git(cwd, 'commit', '-q', '-m', message);
}

async function branchExists(repo: string, branch: string): Promise<boolean> {
  return (await git(repo, 'branch', '--list', branch)).trim() !== '';
}

describe('archive and restore', () => {
  const world = useWorld({ branch: 'feat/arch' });

  it('refuses a dirty worktree without force and changes nothing', async () => {
    const ws = await world.readyWorkspace();
    const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
    await writeFile(join(ws.worktreePath, 'draft.txt'), 'unsaved thought\n');
    const error = await workspaceError(world.lifecycle.archiveWorkspace(ws.id));
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /1 uncommitted or untracked file; archive it with force/);
    assert.equal(world.lifecycle.workspace(ws.id)!.status, 'ready');
    assert.ok(existsSync(join(ws.worktreePath, 'draft.txt')), 'the worktree and its file are kept');
    assert.ok((await world.liveNames()).includes(session.tmuxName), 'the session keeps running');
  });

  it('stops the sessions, removes the folder, keeps the branch and the record as archived', async () => {
    const ws = await world.readyWorkspace();
    await commit(ws.worktreePath, 'work.txt', 'committed work');
    const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
    // Committed but not pushed: the branch keeps it, so the archive loses nothing, yet the guard is delete's.
    assert.equal((await workspaceError(world.lifecycle.archiveWorkspace(ws.id))).kind, 'refused');
    const preview = await world.lifecycle.previewDelete(ws.id);
    const archived = await world.lifecycle.archiveWorkspace(ws.id, { force: true, expected: preview });
    assert.equal(archived.status, 'archived');
    assert.equal(world.lifecycle.workspace(ws.id)!.status, 'archived');
    const names = await world.liveNames();
    assert.ok(!names.includes(session.tmuxName) && !names.includes(ws.baseSession), 'every session stopped');
    assert.equal(world.lifecycle.session(session.key), undefined);
    assert.ok(!existsSync(ws.worktreePath), 'the worktree folder is gone');
    assert.doesNotMatch(await git(world.repo.repo, 'worktree', 'list'), /feat-arch|feat\/arch/);
    assert.match(await git(world.repo.repo, 'log', '--format=%s', 'feat/arch'), /committed work/, 'the branch keeps the work');
  });

  it('restores a worktree on the kept branch with the committed work and a base terminal', async () => {
    const ws = await world.readyWorkspace();
    await commit(ws.worktreePath, 'work.txt', 'committed work');
    await world.lifecycle.archiveWorkspace(ws.id, { force: true });
    const restored = await world.lifecycle.restoreWorkspace(ws.id);
    assert.equal(restored.status, 'ready');
    assert.equal(restored.worktreePath, ws.worktreePath);
    assert.equal(await readFile(join(ws.worktreePath, 'work.txt'), 'utf8'), 'committed work\n');
    assert.equal((await git(ws.worktreePath, 'branch', '--show-current')).trim(), 'feat/arch');
    assert.ok((await world.liveNames()).includes(ws.baseSession), 'a base terminal runs again');
    assert.equal((await world.lifecycle.listWorkspaces()).find((view) => view.record.id === ws.id)!.record.status, 'ready');
  });

  it('stops a restore that is cancelled, as a cancelled setup stops (error, Retry Setup offered)', async () => {
    const ws = await world.readyWorkspace();
    await world.lifecycle.archiveWorkspace(ws.id, { force: true });
    await assert.rejects(world.lifecycle.restoreWorkspace(ws.id, { signal: AbortSignal.abort() }), /cancelled/);
    assert.equal(world.lifecycle.workspace(ws.id)!.status, 'error');
  });

  it('refuses to restore when the kept branch is checked out elsewhere, and changes nothing', async () => {
    const ws = await world.readyWorkspace();
    await world.lifecycle.archiveWorkspace(ws.id);
    await git(world.repo.repo, 'switch', '-q', 'feat/arch');
    const error = await workspaceError(world.lifecycle.restoreWorkspace(ws.id));
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /is checked out in/);
    assert.equal(world.lifecycle.workspace(ws.id)!.status, 'archived');
    assert.ok(!existsSync(ws.worktreePath));
  });

  it('deletes an archived workspace: refused over unpushed commits, then forced, the branch and record go', async () => {
    const ws = await world.readyWorkspace();
    await commit(ws.worktreePath, 'work.txt', 'unmerged work');
    await world.lifecycle.archiveWorkspace(ws.id, { force: true });
    const error = await workspaceError(world.lifecycle.deleteWorkspace(ws.id));
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /1 unpushed commit/);
    assert.equal(world.lifecycle.workspace(ws.id)!.status, 'archived');
    assert.ok(await branchExists(world.repo.repo, 'feat/arch'), 'the branch is kept on refusal');
    await world.lifecycle.deleteWorkspace(ws.id, { force: true });
    assert.equal(world.lifecycle.workspace(ws.id), undefined);
    assert.ok(!(await branchExists(world.repo.repo, 'feat/arch')), 'the branch this workspace created is gone');
  });

  it('deletes an archived workspace with nothing unpushed without force', async () => {
    const ws = await world.readyWorkspace();
    await world.lifecycle.archiveWorkspace(ws.id);
    await world.lifecycle.deleteWorkspace(ws.id);
    assert.equal(world.lifecycle.workspace(ws.id), undefined);
    assert.ok(!(await branchExists(world.repo.repo, 'feat/arch')));
  });

  it('leaves an archived record alone in a reconcile and repair pass, and after a reload', async () => {
    const ws = await world.readyWorkspace();
    await world.lifecycle.archiveWorkspace(ws.id);
    await world.lifecycle.reconcile();
    assert.equal(world.lifecycle.workspace(ws.id)?.status, 'archived', 'the missing worktree does not retire it');
    const fresh = await world.harness.reload();
    assert.equal(fresh.workspace(ws.id)?.status, 'archived');
  });

  it('shows an archive interrupted midway (archiving, lock free) as failed, and archiving again finishes it', async () => {
    const ws = await world.readyWorkspace();
    const store = new RecordStore(world.harness.memento);
    // As a window leaves it when it dies after removing the worktree: `archiving`, no folder, no lock held.
    await store.update(ws.id, { status: 'archiving' });
    await git(world.repo.repo, 'worktree', 'remove', '--force', ws.worktreePath);
    const fresh = await world.harness.reload();
    assert.equal(fresh.workspace(ws.id)!.status, 'archive_failed');
    assert.match(fresh.workspace(ws.id)!.lastError!, /archiving was interrupted; archive again or delete/);
    await fresh.archiveWorkspace(ws.id);
    assert.equal(fresh.workspace(ws.id)!.status, 'archived');
    assert.ok(await branchExists(world.repo.repo, 'feat/arch'));
  });

  it('leaves archive_failed, with the worktree, when a session cannot be stopped', async () => {
    const ws = await world.readyWorkspace();
    await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
    const broken = await world.harness.lifecycle({ tmuxClient: new FailingTmux(world.fixture, 'kill-session') });
    await assert.rejects(broken.archiveWorkspace(ws.id), /archive: could not stop/);
    assert.equal(broken.workspace(ws.id)!.status, 'archive_failed');
    assert.ok(existsSync(ws.worktreePath), 'git was not touched');
    await world.lifecycle.archiveWorkspace(ws.id);
    assert.equal(world.lifecycle.workspace(ws.id)!.status, 'archived');
  });

  it('refuses to archive or restore from the wrong status', async () => {
    const ws = await world.readyWorkspace();
    assert.match((await workspaceError(world.lifecycle.restoreWorkspace(ws.id))).message, /only an archived workspace can be restored/);
    await world.lifecycle.archiveWorkspace(ws.id);
    assert.match((await workspaceError(world.lifecycle.archiveWorkspace(ws.id))).message, /is archived; only a ready workspace/);
  });
});
