import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkspaceRecord } from '../../src/core/store/records';
import { deleteWorkspace } from '../../src/ui/commands/deleteWorkspace';
import { Cancelled } from '../../src/ui/commands/failures';
import type { CommandContext } from '../../src/ui/host';
import { git } from '../helpers/gitRepo';
import { workspaceError } from '../helpers/rejection';
import { RecordingLog, ScriptedHost, plainSettings } from '../helpers/scriptedHost';
import { useWorld } from '../helpers/world';

const settings = plainSettings({ branchPrefix: () => 'feature/' });

/** A commit of one new file in `cwd`. */
async function commit(cwd: string, file: string, message: string): Promise<void> {
  await writeFile(join(cwd, file), `${message}\n`);
  await git(cwd, 'add', file);
  await git(cwd, 'commit', '-q', '-m', message);
}

const refusal = workspaceError;

describe('delete never loses what the user made', () => {
  const world = useWorld({ branch: 'feat/x' });

  async function workspaceWithCommit(): Promise<WorkspaceRecord> {
    const ws = await world.readyWorkspace();
    await commit(ws.worktreePath, 'work.txt', 'local work');
    return ws;
  }

  describe('the branch and the worktree HEAD', () => {
    it('refuses when the branch has unpushed commits although the worktree switched to a detached HEAD', async () => {
      const ws = await workspaceWithCommit();
      await git(ws.worktreePath, 'switch', '-q', '--detach', 'main');
      const preview = await world.lifecycle.previewDelete(ws.id);
      assert.deepEqual(preview.unpushedCommits.map((line) => line.replace(/^\S+ /, '')), ['local work']);
      const error = await refusal(world.lifecycle.deleteWorkspace(ws.id));
      assert.equal(error.kind, 'refused');
      assert.match(await git(world.repo.repo, 'log', '--format=%s', 'feat/x'), /local work/, 'the branch is kept');
    });

    it('refuses when the worktree HEAD, on another branch, has unpushed commits', async () => {
      const ws = await world.readyWorkspace();
      await git(ws.worktreePath, 'switch', '-q', '-c', 'other', 'main');
      await commit(ws.worktreePath, 'other.txt', 'work on other');
      const preview = await world.lifecycle.previewDelete(ws.id);
      assert.deepEqual(preview.unpushedCommits.map((line) => line.replace(/^\S+ /, '')), ['work on other']);
      assert.equal((await refusal(world.lifecycle.deleteWorkspace(ws.id))).kind, 'refused');
      assert.ok(existsSync(join(ws.worktreePath, 'other.txt')), 'the worktree is kept');
    });

    it('refuses when a detached HEAD holds commits on no branch', async () => {
      const ws = await world.readyWorkspace();
      await git(ws.worktreePath, 'switch', '-q', '--detach', 'main');
      await commit(ws.worktreePath, 'loose.txt', 'detached work');
      const preview = await world.lifecycle.previewDelete(ws.id);
      assert.deepEqual(preview.unpushedCommits.map((line) => line.replace(/^\S+ /, '')), ['detached work']);
    });
  });

  describe('submodules', () => {
    let library: string;

    beforeEach(async () => {
      library = await mkdtemp(join(tmpdir(), 'tw-sub-'));
      await git(library, 'init', '-q', '-b', 'main');
      await git(library, 'config', 'user.email', 'test@example.com');
      await git(library, 'config', 'user.name', 'Test');
      await commit(library, 'lib.txt', 'library');
    });

    afterEach(async () => {
      await rm(library, { recursive: true, force: true });
    });

    /** A workspace whose worktree has `lib` initialised, added and committed on its branch. */
    async function withSubmodule(): Promise<WorkspaceRecord> {
      const ws = await world.readyWorkspace();
      await git(ws.worktreePath, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', library, 'lib');
      await git(ws.worktreePath, 'commit', '-q', '-m', 'add lib');
      // Pushed, so the parent branch holds nothing of its own.
      await git(world.repo.repo, 'merge', '-q', '--ff-only', 'feat/x');
      return ws;
    }

    it('deletes a worktree with an initialised submodule when nothing in it is at risk', async () => {
      const ws = await withSubmodule();
      assert.deepEqual(await world.lifecycle.previewDelete(ws.id), { dirtyFiles: [], unpushedCommits: [] });
      await world.lifecycle.deleteWorkspace(ws.id);
      assert.ok(!existsSync(ws.worktreePath));
      assert.equal(world.lifecycle.workspace(ws.id), undefined);
    });

    it('shows a submodule\'s changes and unpushed commits at risk, and refuses', async () => {
      const ws = await withSubmodule();
      const lib = join(ws.worktreePath, 'lib');
      await commit(lib, 'more.txt', 'library work');
      await writeFile(join(lib, 'draft.txt'), 'draft\n');
      const preview = await world.lifecycle.previewDelete(ws.id);
      assert.ok(preview.dirtyFiles.includes('lib/draft.txt'), `lib/draft.txt in ${preview.dirtyFiles.join(', ')}`);
      assert.ok(preview.unpushedCommits.some((line) => /^lib: \S+ library work$/.test(line)), preview.unpushedCommits.join(', '));
      assert.equal((await refusal(world.lifecycle.deleteWorkspace(ws.id))).kind, 'refused');
      assert.ok(existsSync(join(lib, 'draft.txt')));
    });
  });

  describe('a moved worktree', () => {
    it('follows `git worktree move`: preview, delete and attach use the new folder', async () => {
      const ws = await world.readyWorkspace();
      const moved = `${ws.worktreePath}-moved`;
      await git(world.repo.repo, 'worktree', 'move', ws.worktreePath, moved);
      await writeFile(join(moved, 'draft.md'), 'unsaved\n');
      assert.deepEqual((await world.lifecycle.previewDelete(ws.id)).dirtyFiles, ['draft.md']);
      assert.equal((await refusal(world.lifecycle.deleteWorkspace(ws.id))).kind, 'refused');
      await world.lifecycle.attachTarget({ workspaceId: ws.id });
      assert.equal(world.lifecycle.workspace(ws.id)?.worktreePath, moved);
      await world.lifecycle.deleteWorkspace(ws.id, { force: true });
      assert.ok(!existsSync(moved));
      assert.equal(await git(world.repo.repo, 'branch', '--list', 'feat/x'), '');
    });
  });

  describe('Delete Anyway', () => {
    it('refuses a forced delete when more is at risk than the preview it was given, with the new preview', async () => {
      const ws = await world.readyWorkspace();
      await writeFile(join(ws.worktreePath, 'one.md'), 'one\n');
      const expected = await world.lifecycle.previewDelete(ws.id);
      await writeFile(join(ws.worktreePath, 'two.md'), 'two\n');
      const error = await refusal(world.lifecycle.deleteWorkspace(ws.id, { force: true, expected }));
      assert.equal(error.kind, 'refused');
      assert.deepEqual(error.details, { dirtyFiles: ['one.md', 'two.md'], unpushedCommits: [] });
      assert.ok(existsSync(join(ws.worktreePath, 'two.md')));
      assert.equal(world.lifecycle.workspace(ws.id)?.status, 'ready');
      await world.lifecycle.deleteWorkspace(ws.id, { force: true, expected: error.details as never });
      assert.ok(!existsSync(ws.worktreePath));
    });

    it('the dialog asks again with the new list when work appeared while it was open', async () => {
      const ws = await world.readyWorkspace();
      await writeFile(join(ws.worktreePath, 'one.md'), 'one\n');
      const host = new (class extends ScriptedHost {
        override async confirm<A extends string>(message: string, detail: string): Promise<A | undefined> {
          // The user types on while the first dialog is open.
          if (this.shown.length === 0) await writeFile(join(ws.worktreePath, 'two.md'), 'two\n');
          return super.confirm<A>(message, detail);
        }
      })(['Delete Anyway', undefined]);
      const context: CommandContext = { lifecycle: world.lifecycle, host, log: new RecordingLog(), settings, repositories: { repositories: async () => [world.repo.repo] }, environment: process.env };
      await assert.rejects(deleteWorkspace(context, ws.id), Cancelled);
      assert.equal(host.shown.filter((shown) => shown.kind === 'confirm').length, 2);
      assert.doesNotMatch(host.shown[0].detail!, /two\.md/);
      assert.match(host.shown[1].detail!, /2 uncommitted or untracked files:\n {2}one\.md\n {2}two\.md/);
      assert.ok(existsSync(join(ws.worktreePath, 'two.md')), 'Cancel on the second dialog keeps the work');
    });
  });
});
