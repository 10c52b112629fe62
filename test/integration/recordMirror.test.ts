import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  readSessionMirror,
  readWorkspaceMirror,
  workspaceMirrorPath,
  writeSessionMirror,
  writeWorkspaceMirror,
} from '../../src/core/store/RecordMirror';
import { SCHEMA_VERSION, type SessionRecord, type WorkspaceRecord } from '../../src/core/store/records';
import { git, makeRepo } from '../helpers/gitRepo';
import { TmuxFixture } from '../helpers/tmuxFixture';

describe('record mirrors beside the resource (real git and tmux)', function () {
  this.timeout(30_000);

  it('keeps a workspace\'s record in its worktree\'s own git folder, out of the checkout, gone with the worktree', async () => {
    const repo = await makeRepo();
    try {
      const worktreePath = join(repo.root, 'repo.worktrees', 'feature');
      await git(repo.repo, 'worktree', 'add', '-q', '-b', 'feature', worktreePath);
      const record: WorkspaceRecord = {
        v: SCHEMA_VERSION, id: 'ws-1', repoPath: repo.repo, branch: 'feature', baseBranch: 'main', worktreePath, branchSource: 'new',
        createdBranch: true, status: 'ready', setupEvents: [], baseSession: 'tw-ws-1-base', createdAt: 1, updatedAt: 2,
      };
      await writeWorkspaceMirror(record, 'install-1');
      assert.deepEqual(await readWorkspaceMirror(worktreePath), { owner: 'install-1', record });
      const file = await workspaceMirrorPath(worktreePath);
      assert.ok(file.startsWith(join(repo.repo, '.git', 'worktrees')), `the worktree's admin folder, not the checkout: ${file}`);
      assert.equal(await git(worktreePath, 'status', '--porcelain'), '', 'git status shows nothing new');
      await git(repo.repo, 'worktree', 'remove', worktreePath);
      assert.ok(!existsSync(file), 'removing the worktree removes the mirror');
      assert.equal(await readWorkspaceMirror(worktreePath), undefined, 'no worktree, no evidence');
    } finally {
      await repo.cleanup();
    }
  });

  it('carries a session\'s full record on the tmux session, quotes and all, and none on a session without it', async () => {
    const fixture = await TmuxFixture.create();
    try {
      const tmux = fixture.client();
      await fixture.tmux('new-session', '-d', '-s', 'tw-ws-1-agent', 'sleep 600');
      await fixture.tmux('new-session', '-d', '-s', 'plain', 'sleep 600');
      const record: SessionRecord = {
        v: SCHEMA_VERSION, key: 'tw-ws-1-agent', workspaceId: 'ws-1', kind: 'agent', label: 'it\'s "#{pane_id}"; $HOME \\ ;',
        tmuxName: 'tw-ws-1-agent', launchId: 'launch-1', command: ['sh', '-c', 'echo "a;b" #c'], createdAt: 7,
      };
      await writeSessionMirror(tmux, record);
      assert.deepEqual(await readSessionMirror(tmux, record.tmuxName), record);
      assert.equal(await readSessionMirror(tmux, 'plain'), undefined);
      assert.equal(await readSessionMirror(tmux, 'no-such-session'), undefined);
    } finally {
      await fixture.dispose();
    }
  });
});
