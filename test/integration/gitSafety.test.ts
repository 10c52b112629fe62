import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitClient } from '../../src/core/git/GitClient';
import { git, makeRepo } from '../helpers/gitRepo';

/** `git submodule` refuses file:// sources unless allowed; the test's own folders only. */
const ALLOW_FILE = ['-c', 'protocol.file.allow=always'];

describe('git primitives that keep work safe', () => {
  const client = new GitClient();
  let repo: Awaited<ReturnType<typeof makeRepo>>;
  let worktree: string;

  beforeEach(async () => {
    repo = await makeRepo();
    worktree = join(repo.root, 'wt');
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  async function commit(cwd: string, file: string, message: string): Promise<void> {
    await writeFile(join(cwd, file), `${message}\n`);
    await git(cwd, 'add', file);
    await git(cwd, 'commit', '-q', '-m', message);
  }

  describe('unpushed commits of a branch (#9.1)', () => {
    it('counts the branch ref whatever the worktree has checked out', async () => {
      await git(repo.repo, 'worktree', 'add', '-q', '-b', 'feature', worktree, 'main');
      await commit(worktree, 'a.txt', 'work on feature');
      await git(worktree, 'checkout', '-q', '--detach', 'main');
      assert.deepEqual(await client.unpushedCommits(worktree, 'main'), [], 'HEAD (detached at main) has nothing unpushed');
      const unpushed = await client.unpushedCommits(worktree, 'main', 'refs/heads/feature');
      assert.equal(unpushed.length, 1);
      assert.match(unpushed[0], /work on feature$/);
    });

    it('compares with the upstream when the branch has one', async () => {
      const remote = join(repo.root, 'remote.git');
      await git(repo.root, 'init', '-q', '--bare', remote);
      await git(repo.repo, 'remote', 'add', 'origin', remote);
      await git(repo.repo, 'worktree', 'add', '-q', '-b', 'feature', worktree, 'main');
      await commit(worktree, 'a.txt', 'pushed');
      await git(worktree, 'push', '-q', '-u', 'origin', 'feature');
      await commit(worktree, 'b.txt', 'not pushed');
      const unpushed = await client.unpushedCommits(repo.repo, 'main', 'refs/heads/feature');
      assert.deepEqual(unpushed.map((line) => line.replace(/^\S+ /, '')), ['not pushed']);
    });

    it('tells the worktree\'s HEAD: a branch name, or the sha when detached', async () => {
      await git(repo.repo, 'worktree', 'add', '-q', '-b', 'feature', worktree, 'main');
      assert.deepEqual(await client.worktreeHead(worktree), { branch: 'feature' });
      await git(worktree, 'checkout', '-q', '--detach');
      assert.deepEqual(await client.worktreeHead(worktree), { detached: await git(worktree, 'rev-parse', 'HEAD') });
    });
  });

  describe('submodules (#9.6)', () => {
    async function withSubmodule(): Promise<string> {
      const lib = join(repo.root, 'lib');
      await mkdir(lib);
      await git(lib, 'init', '-q', '-b', 'main');
      await git(lib, 'config', 'user.email', 'test@example.com');
      await git(lib, 'config', 'user.name', 'Test');
      await commit(lib, 'lib.txt', 'lib one');
      await git(repo.repo, ...ALLOW_FILE, 'submodule', 'add', '-q', lib, 'lib');
      await git(repo.repo, 'commit', '-q', '-m', 'add lib');
      await git(repo.repo, 'worktree', 'add', '-q', '-b', 'feature', worktree, 'main');
      await git(worktree, ...ALLOW_FILE, 'submodule', 'update', '-q', '--init');
      await git(join(worktree, 'lib'), 'config', 'user.email', 'test@example.com');
      await git(join(worktree, 'lib'), 'config', 'user.name', 'Test');
      return join(worktree, 'lib');
    }

    it('counts a changed submodule as dirty even when config says to ignore submodules', async () => {
      const lib = await withSubmodule();
      await git(worktree, 'config', 'diff.ignoreSubmodules', 'all');
      await git(worktree, 'config', '-f', '.gitmodules', 'submodule.lib.ignore', 'all');
      await git(worktree, 'commit', '-q', '-am', 'ignore lib');
      await writeFile(join(lib, 'scratch.txt'), 'unsaved\n');
      assert.deepEqual(await client.dirtyFiles(worktree), ['lib']);
    });

    it('lists each initialised submodule with its uncommitted files and commits on no remote', async () => {
      const lib = await withSubmodule();
      assert.deepEqual(await client.submodules(worktree), [{ path: 'lib', dirtyFiles: [], unpushedCommits: [] }]);
      await commit(lib, 'local.txt', 'only here');
      await writeFile(join(lib, 'scratch.txt'), 'unsaved\n');
      const [state] = await client.submodules(worktree);
      assert.deepEqual(state.dirtyFiles, ['scratch.txt']);
      assert.deepEqual(state.unpushedCommits.map((line) => line.replace(/^\S+ /, '')), ['only here']);
    });

    it('removes a worktree with initialised submodules when the caller says nothing is at risk', async () => {
      await withSubmodule();
      await assert.rejects(client.removeWorktree(repo.repo, worktree, { force: false }), /submodules/);
      await client.removeWorktree(repo.repo, worktree, { force: false, hasSubmodules: true });
      assert.equal(existsSync(worktree), false);
      assert.equal((await client.listWorktrees(repo.repo)).length, 1);
    });
  });

  describe('finding worktrees (#9.2, #9.7)', () => {
    it('finds a worktree by branch after git worktree move', async () => {
      await git(repo.repo, 'worktree', 'add', '-q', '-b', 'feature', worktree, 'main');
      const moved = join(repo.root, 'moved');
      await git(repo.repo, 'worktree', 'move', worktree, moved);
      assert.equal((await client.worktreeForBranch(repo.repo, 'feature'))?.path, await realpath(moved));
      assert.equal(await client.worktreeForBranch(repo.repo, 'other'), undefined);
    });

    it('tells whether a folder is a registered worktree of the repository with the branch checked out', async () => {
      await git(repo.repo, 'worktree', 'add', '-q', '-b', 'feature', worktree, 'main');
      assert.equal(await client.isWorktreeOf(repo.repo, worktree, 'feature'), true);
      assert.equal(await client.isWorktreeOf(repo.repo, worktree, 'main'), false, 'another branch');
      assert.equal(await client.isWorktreeOf(repo.repo, join(worktree, '..', 'wt'), 'feature'), true, 'the same folder spelled otherwise');
      const stranger = await makeRepo('stranger');
      try {
        await git(stranger.repo, 'checkout', '-q', '-b', 'feature');
        assert.equal(await client.isWorktreeOf(repo.repo, stranger.repo, 'feature'), false, 'a clone elsewhere is not ours');
      } finally {
        await stranger.cleanup();
      }
      assert.equal(await client.isWorktreeOf(repo.repo, join(repo.root, 'missing'), 'feature'), false);
    });
  });
});
