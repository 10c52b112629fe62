import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkspaceError } from '../../src/core/errors';
import { git } from '../helpers/gitRepo';
import { useWorld } from '../helpers/world';

const FAILING = 'exit 3';

describe('setup never takes or leaves what is not its own', () => {
  const world = useWorld();

  /** `branch` created with a failing setup command: `error`, its worktree kept for the user to look at. */
  async function failedWorkspace(branch: string) {
    await assert.rejects(world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch, setupCommand: FAILING }));
    const record = (await world.lifecycle.listWorkspaces()).find((view) => view.record.branch === branch)!.record;
    assert.equal(record.status, 'error');
    assert.ok(existsSync(record.worktreePath));
    return record;
  }

  describe('folders', () => {
    it('gives a new workspace a folder no other record owns, so Retry Setup never adopts another branch\'s files', async () => {
      const dashed = await failedWorkspace('feat-z');
      const slashed = await world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'feat/z' });
      assert.notEqual(slashed.worktreePath, dashed.worktreePath);
      assert.equal(slashed.worktreePath, `${dashed.worktreePath}-2`);
      const retried = await world.lifecycle.retrySetup(dashed.id);
      assert.equal(retried.status, 'ready');
      assert.equal(await git(retried.worktreePath, 'branch', '--show-current'), 'feat-z');
      assert.equal(await git(slashed.worktreePath, 'branch', '--show-current'), 'feat/z');
    });

    it('refuses Retry Setup when its folder is not a worktree with its branch, and changes nothing', async () => {
      const record = await failedWorkspace('feat-y');
      // The user removed the kept worktree, and something else took its folder.
      await git(world.repo.repo, 'worktree', 'remove', '--force', record.worktreePath);
      await git(world.repo.repo, 'worktree', 'add', '-q', '-b', 'someone-else', record.worktreePath);
      await assert.rejects(world.lifecycle.retrySetup(record.id), (error: WorkspaceError) => {
        assert.equal(error.kind, 'refused');
        assert.match(error.message, /is not a worktree of .* with branch "feat-y"/);
        return true;
      });
      const after = world.lifecycle.workspace(record.id)!;
      assert.equal(after.status, 'error');
      assert.equal(after.setupEvents.length, record.setupEvents.length, 'no setup attempt recorded');
      assert.equal(await git(record.worktreePath, 'branch', '--show-current'), 'someone-else');
    });

    it('refuses a branch whose folder name would be over 255 bytes before git runs, changing nothing', async () => {
      const branch = `feat/${'é'.repeat(130)}`;
      await assert.rejects(world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch }), (error: WorkspaceError) => {
        assert.equal(error.kind, 'refused');
        assert.match(error.message, /folder name .* 255 bytes/);
        return true;
      });
      assert.deepEqual(await world.lifecycle.listWorkspaces(), []);
      assert.equal(await git(world.repo.repo, 'branch', '--list', branch), '');
    });
  });

  describe('rollback', () => {
    it('removes the folder and the branch git made before a failing post-checkout hook', async () => {
      const hooks = join(world.repo.repo, '.git', 'hooks');
      await mkdir(hooks, { recursive: true });
      await writeFile(join(hooks, 'post-checkout'), '#!/bin/sh\necho hook says no >&2\nexit 1\n');
      await chmod(join(hooks, 'post-checkout'), 0o755);
      await assert.rejects(world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'hooked' }), /^Error: worktree: |worktree: /);
      const [view] = await world.lifecycle.listWorkspaces();
      assert.equal(view.record.status, 'error');
      assert.ok(!existsSync(view.record.worktreePath), 'the folder git made is removed');
      assert.equal(await git(world.repo.repo, 'branch', '--list', 'hooked'), '', 'the branch git made is removed');
      assert.equal(view.record.createdBranch, false);
    });
  });
});
