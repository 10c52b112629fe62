import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkspaceError } from '../../src/core/errors';
import { worktreeGitDir } from '../../src/core/git/WorktreeWatcher';
import { git } from '../helpers/gitRepo';
import { workspaceError } from '../helpers/rejection';
import { useWorld } from '../helpers/world';

/** A commit of `file` with `text` in `cwd`. */
async function commit(cwd: string, file: string, text: string, message = `edit ${file}`): Promise<void> {
  await writeFile(join(cwd, file), text);
  await git(cwd, 'add', file);
  await git(cwd, 'commit', '-q', '-m', message);
}

/** The refusal `promise` rejects with. */
async function refusal(promise: Promise<unknown>): Promise<WorkspaceError> {
  const error = await workspaceError(promise);
  assert.equal(error.kind, 'refused', error.message);
  return error;
}

const tip = (cwd: string, ref: string) => git(cwd, 'rev-parse', ref);
const status = (cwd: string) => git(cwd, 'status', '--porcelain', '--untracked-files=all');

describe('landing a workspace: commit, push, merge into base, update from base', () => {
  const world = useWorld({ branch: 'feat/land' });

  describe('Merge into base', () => {
    it('stops on a dry-run conflict, lists the files, and changes nothing on either side', async () => {
      const ws = await world.readyWorkspace();
      await commit(ws.worktreePath, 'README.md', 'workspace text\n');
      await commit(world.repo.repo, 'README.md', 'main text\n');
      const before = { main: await tip(world.repo.repo, 'main'), branch: await tip(world.repo.repo, 'feat/land'), mainStatus: await status(world.repo.repo), wsStatus: await status(ws.worktreePath) };
      const error = await refusal(world.lifecycle.mergeIntoBase(ws.id));
      assert.match(error.message, /would conflict in README\.md/);
      assert.deepEqual(error.details, { conflicts: ['README.md'] });
      assert.deepEqual(
        { main: await tip(world.repo.repo, 'main'), branch: await tip(world.repo.repo, 'feat/land'), mainStatus: await status(world.repo.repo), wsStatus: await status(ws.worktreePath) },
        before,
      );
      assert.ok(!existsSync(join(world.repo.repo, '.git', 'MERGE_HEAD')));
    });

    it('refuses while the base branch\'s checkout has uncommitted changes, and changes nothing', async () => {
      const ws = await world.readyWorkspace();
      await commit(ws.worktreePath, 'feature.txt', 'feature\n');
      await writeFile(join(world.repo.repo, 'README.md'), '# edited in main, not committed\n');
      const main = await tip(world.repo.repo, 'main');
      const error = await refusal(world.lifecycle.mergeIntoBase(ws.id));
      assert.match(error.message, /"main" is checked out in .* with uncommitted changes \(README\.md\)/);
      assert.equal(await tip(world.repo.repo, 'main'), main);
      assert.equal(await status(world.repo.repo), ' M README.md');
    });

    it('refuses while the workspace itself has uncommitted work', async () => {
      const ws = await world.readyWorkspace();
      await commit(ws.worktreePath, 'feature.txt', 'feature\n');
      await writeFile(join(ws.worktreePath, 'new.txt'), 'not committed\n');
      const main = await tip(world.repo.repo, 'main');
      const error = await refusal(world.lifecycle.mergeIntoBase(ws.id));
      assert.deepEqual(error.details, { uncommitted: ['new.txt'] });
      assert.equal(await tip(world.repo.repo, 'main'), main);
    });

    it('fast-forwards the base checkout when the base has not moved', async () => {
      const ws = await world.readyWorkspace();
      await commit(ws.worktreePath, 'feature.txt', 'feature\n');
      const outcome = await world.lifecycle.mergeIntoBase(ws.id);
      assert.deepEqual(outcome, { kind: 'merged', base: 'main', fastForward: true, checkout: world.repo.repo });
      assert.equal(await tip(world.repo.repo, 'main'), await tip(world.repo.repo, 'feat/land'));
      assert.ok(existsSync(join(world.repo.repo, 'feature.txt')), 'the main checkout has the file');
      assert.equal(await status(world.repo.repo), '');
    });

    it('makes a merge commit when both sides moved without conflicting', async () => {
      const ws = await world.readyWorkspace();
      await commit(ws.worktreePath, 'feature.txt', 'feature\n');
      await commit(world.repo.repo, 'other.txt', 'main moved\n');
      const outcome = await world.lifecycle.mergeIntoBase(ws.id);
      assert.equal(outcome.kind === 'merged' && outcome.fastForward, false);
      const parents = (await git(world.repo.repo, 'log', '-1', '--format=%P', 'main')).split(' ');
      assert.equal(parents.length, 2, 'a merge commit');
      assert.equal(parents[1], await tip(world.repo.repo, 'feat/land'));
      assert.ok(existsSync(join(world.repo.repo, 'feature.txt')));
    });

    it('moves the base branch alone for a fast-forward when no worktree has it checked out, and refuses a merge commit there', async () => {
      const ws = await world.readyWorkspace();
      await git(world.repo.repo, 'switch', '-q', '-c', 'elsewhere');
      await commit(ws.worktreePath, 'feature.txt', 'feature\n');
      assert.deepEqual(await world.lifecycle.mergeIntoBase(ws.id), { kind: 'merged', base: 'main', fastForward: true, checkout: undefined });
      assert.equal(await tip(world.repo.repo, 'main'), await tip(world.repo.repo, 'feat/land'));
      await commit(ws.worktreePath, 'more.txt', 'more\n');
      await git(world.repo.repo, 'switch', '-q', 'main');
      await commit(world.repo.repo, 'other.txt', 'main moved\n');
      await git(world.repo.repo, 'switch', '-q', 'elsewhere');
      const main = await tip(world.repo.repo, 'main');
      const error = await refusal(world.lifecycle.mergeIntoBase(ws.id));
      assert.match(error.message, /No worktree has "main" checked out/);
      assert.equal(await tip(world.repo.repo, 'main'), main);
    });

    it('leaves nothing unpushed for Delete once merged, although the branch was pushed before its last commit', async () => {
      const remote = await mkdtemp(join(tmpdir(), 'tw-remote-'));
      try {
        await git(remote, 'init', '-q', '--bare');
        await git(world.repo.repo, 'remote', 'add', 'origin', remote);
        const ws = await world.readyWorkspace();
        await commit(ws.worktreePath, 'feature.txt', 'feature\n');
        await world.lifecycle.push(ws.id);
        await commit(ws.worktreePath, 'later.txt', 'after the push\n');
        assert.equal((await world.lifecycle.previewDelete(ws.id)).unpushedCommits.length, 1, 'before the merge the later commit is at risk');
        await world.lifecycle.mergeIntoBase(ws.id);
        assert.deepEqual(await world.lifecycle.previewDelete(ws.id), { dirtyFiles: [], unpushedCommits: [] });
        await world.lifecycle.deleteWorkspace(ws.id);
        assert.match(await git(world.repo.repo, 'log', '--format=%s', 'main'), /edit later\.txt/, 'the work lives on in main');
      } finally {
        await rm(remote, { recursive: true, force: true });
      }
    });
  });

  describe('Update from base', () => {
    it('merges the base in, and on a conflict leaves MERGE_HEAD with the files named, and the changes say so', async () => {
      const ws = await world.readyWorkspace();
      await commit(ws.worktreePath, 'README.md', 'workspace text\n');
      await commit(world.repo.repo, 'README.md', 'main text\n');
      const outcome = await world.lifecycle.updateFromBase(ws.id, 'merge');
      assert.deepEqual(outcome, { kind: 'conflicts', operation: 'merge', files: ['README.md'] });
      assert.ok(existsSync(join(await worktreeGitDir(ws.worktreePath), 'MERGE_HEAD')));
      assert.equal((await world.lifecycle.worktreeChanges(ws.id))?.inProgress, 'merge');
      await refusal(world.lifecycle.mergeIntoBase(ws.id));
      await refusal(world.lifecycle.commitAll(ws.id, 'would commit conflict markers'));
    });

    it('rebases onto the base when asked, leaving the workspace up to date', async () => {
      const ws = await world.readyWorkspace();
      await commit(ws.worktreePath, 'feature.txt', 'feature\n');
      await commit(world.repo.repo, 'other.txt', 'main moved\n');
      assert.deepEqual(await world.lifecycle.updateFromBase(ws.id, 'rebase'), { kind: 'updated' });
      assert.equal(await git(ws.worktreePath, 'rev-parse', 'HEAD~1'), await tip(world.repo.repo, 'main'));
      assert.deepEqual(await world.lifecycle.updateFromBase(ws.id, 'rebase'), { kind: 'up-to-date' });
    });
  });

  describe('Commit All and Push', () => {
    it('refuses an empty change set, and commits everything, untracked files too', async () => {
      const ws = await world.readyWorkspace();
      const error = await refusal(world.lifecycle.commitAll(ws.id, 'nothing here'));
      assert.match(error.message, /nothing to commit/);
      await writeFile(join(ws.worktreePath, 'README.md'), '# changed\n');
      await writeFile(join(ws.worktreePath, 'untracked.txt'), 'new\n');
      const result = await world.lifecycle.commitAll(ws.id, 'Work from the agent');
      assert.equal(result.files, 2);
      assert.equal(await status(ws.worktreePath), '');
      assert.equal(await git(ws.worktreePath, 'log', '-1', '--format=%s'), 'Work from the agent');
      await refusal(world.lifecycle.commitAll(ws.id, '   '));
    });

    it('pushes to a bare remote, setting the upstream on the first push; says so when there is no remote', async () => {
      const ws = await world.readyWorkspace();
      await commit(ws.worktreePath, 'feature.txt', 'feature\n');
      const error = await refusal(world.lifecycle.push(ws.id));
      assert.match(error.message, /no remote to push to/);
      const remote = await mkdtemp(join(tmpdir(), 'tw-remote-'));
      try {
        await git(remote, 'init', '-q', '--bare');
        await git(world.repo.repo, 'remote', 'add', 'origin', remote);
        assert.deepEqual(await world.lifecycle.push(ws.id), { upstream: 'origin/feat/land', setUpstream: true });
        assert.equal(await git(ws.worktreePath, 'rev-parse', '--abbrev-ref', '@{upstream}'), 'origin/feat/land');
        assert.equal(await tip(remote, 'feat/land'), await tip(ws.worktreePath, 'HEAD'));
        await commit(ws.worktreePath, 'more.txt', 'more\n');
        assert.deepEqual(await world.lifecycle.push(ws.id), { upstream: 'origin/feat/land', setUpstream: false });
        assert.equal(await tip(remote, 'feat/land'), await tip(ws.worktreePath, 'HEAD'));
      } finally {
        await rm(remote, { recursive: true, force: true });
      }
    });
  });
});
