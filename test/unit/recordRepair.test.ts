import * as assert from 'node:assert/strict';
import { parseSession, repair, serialiseSession, type Evidence } from '../../src/core/store/RecordMirror';
import { SCHEMA_VERSION, type SessionRecord, type WorkspaceRecord, type WorkspaceStatus } from '../../src/core/store/records';

const INSTALL = 'install-1';

function workspace(id: string, status: WorkspaceStatus = 'ready'): WorkspaceRecord {
  return {
    v: SCHEMA_VERSION, id, repoPath: '/repo', branch: id, baseBranch: 'main', worktreePath: `/wt/${id}`, branchSource: 'new',
    createdBranch: true, status, setupEvents: [], baseSession: `tw-${id}-base`, createdAt: 1, updatedAt: 1,
  };
}

function session(key: string, workspaceId: string): SessionRecord {
  return { v: SCHEMA_VERSION, key, workspaceId, kind: 'agent', label: 'agent', tmuxName: key, launchId: `l-${key}`, command: ['agent'], createdAt: 5 };
}

function evidence(partial: Partial<Evidence>): Evidence {
  return { installId: INSTALL, sessions: [], worktrees: [], ...partial };
}

describe('repair (truth beside the resource)', () => {
  it('restores a workspace record lost from globalState while its worktree carries ours, with the sessions on it', () => {
    const lost = workspace('a');
    const result = repair(
      { workspaces: [], sessions: [] },
      evidence({ worktrees: [{ path: lost.worktreePath, owner: INSTALL, record: lost }], sessions: [{ name: 'tw-a-1', owner: INSTALL, record: session('tw-a-1', 'a') }] }),
    );
    assert.deepEqual(result.restore.workspaces.map((record) => record.id), ['a']);
    assert.deepEqual(result.restore.sessions.map((record) => record.key), ['tw-a-1']);
    assert.deepEqual(result.retire, { workspaces: [], sessions: [] });
  });

  it('restores no session that carries another installation\'s marker, another session\'s record, or a workspace we do not know', () => {
    const result = repair(
      { workspaces: [workspace('a')], sessions: [] },
      evidence({
        worktrees: [{ path: '/wt/a' }],
        sessions: [
          { name: 'tw-a-1', owner: 'someone-else', record: session('tw-a-1', 'a') },
          { name: 'tw-a-2', owner: INSTALL, record: session('tw-a-other', 'a') },
          { name: 'tw-b-1', owner: INSTALL, record: session('tw-b-1', 'b') },
        ],
      }),
    );
    assert.deepEqual(result.restore.sessions, []);
  });

  it('restores no workspace from a worktree another installation mirrored, or from a mirror of another worktree', () => {
    const result = repair(
      { workspaces: [], sessions: [] },
      evidence({ worktrees: [{ path: '/wt/a', owner: 'someone-else', record: workspace('a') }, { path: '/wt/copy', owner: INSTALL, record: workspace('b') }] }),
    );
    assert.deepEqual(result.restore.workspaces, []);
  });

  it('retires a ready or deleting workspace that came back without its worktree, and its sessions', () => {
    const result = repair(
      { workspaces: [workspace('gone'), workspace('going', 'deleting'), workspace('here')], sessions: [session('tw-gone-1', 'gone'), session('tw-here-1', 'here')] },
      evidence({ worktrees: [{ path: '/wt/here' }], sessions: [{ name: 'tw-gone-1', owner: INSTALL }, { name: 'tw-here-1', owner: INSTALL }] }),
    );
    assert.deepEqual(result.retire.workspaces, ['gone', 'going']);
    assert.deepEqual(result.retire.sessions, ['tw-gone-1'], 'a session of a retired workspace goes with it; the other stays');
    assert.deepEqual(result.restore, { workspaces: [], sessions: [] });
  });

  it('keeps records the user acts on (creating, error, deletion failed) even without a worktree', () => {
    const statuses: WorkspaceStatus[] = ['creating', 'error', 'deletion_failed'];
    const result = repair({ workspaces: statuses.map((status) => workspace(status, status)), sessions: [] }, evidence({}));
    assert.deepEqual(result.retire.workspaces, []);
  });

  it('retires a session record whose tmux session is gone, and leaves agreeing records alone', () => {
    const result = repair(
      { workspaces: [workspace('a')], sessions: [session('tw-a-1', 'a'), session('tw-a-2', 'a')] },
      evidence({ worktrees: [{ path: '/wt/a', record: workspace('a') }], sessions: [{ name: 'tw-a-1', owner: INSTALL, record: session('tw-a-1', 'a') }] }),
    );
    assert.deepEqual(result, { restore: { workspaces: [], sessions: [] }, retire: { workspaces: [], sessions: ['tw-a-2'] } });
  });

  it('round-trips a session record through its tmux option text, and reads anything else as no evidence', () => {
    const record = session('tw-a-1', 'a');
    assert.deepEqual(parseSession(serialiseSession(record)), record);
    for (const text of [undefined, '', 'not json', '{"key":1}', JSON.stringify({ ...record, v: SCHEMA_VERSION + 1 })]) {
      assert.equal(parseSession(text), undefined, `no record from ${String(text)}`);
    }
  });
});
