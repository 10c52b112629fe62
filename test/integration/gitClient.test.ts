import * as assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { textAt, worktreeChanges } from '../../src/core/git/WorktreeChanges';
import { GitClient } from '../../src/core/git/GitClient';
import { git, makeRepo } from '../helpers/gitRepo';

describe('GitClient', () => {
  const client = new GitClient();
  let repo: Awaited<ReturnType<typeof makeRepo>>;

  beforeEach(async () => {
    repo = await makeRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  /** A bare remote with `main` and `remote-only`, fetched into the test repository as `origin`. */
  async function withRemote(): Promise<void> {
    const remote = join(repo.root, 'remote.git');
    await git(repo.root, 'init', '-q', '--bare', remote);
    await git(repo.repo, 'remote', 'add', 'origin', remote);
    await git(repo.repo, 'push', '-q', 'origin', 'main', 'main:remote-only');
    await git(repo.repo, 'fetch', '-q', 'origin');
    await git(repo.repo, 'remote', 'set-head', 'origin', 'main');
  }

  it('finds the repository root from a folder inside it, and refuses a folder outside any repository', async () => {
    assert.equal(await client.repositoryRoot(repo.repo), await git(repo.repo, 'rev-parse', '--show-toplevel'));
    await assert.rejects(client.repositoryRoot(repo.root), /is not inside a git repository/);
  });

  it('refuses branch names git would not accept, with the reason', async () => {
    await client.checkBranchName(repo.repo, 'feature/ok');
    await assert.rejects(client.checkBranchName(repo.repo, 'bad..name'), /Invalid branch name "bad\.\.name"/);
  });

  it('takes the default branch from origin/HEAD, else the checked-out branch', async () => {
    await git(repo.repo, 'checkout', '-q', '-b', 'work');
    assert.equal(await client.defaultBranch(repo.repo), 'work');
    await withRemote();
    assert.equal(await client.defaultBranch(repo.repo), 'main');
  });

  it('lists local and remote branches without origin/HEAD, and maps a remote-only branch to its local name', async () => {
    await withRemote();
    const branches = await client.listBranches(repo.repo);
    assert.deepEqual(branches.local, ['main']);
    assert.deepEqual(branches.remote.sort(), ['origin/main', 'origin/remote-only']);
    assert.equal(await client.localNameFor(repo.repo, 'origin/remote-only'), 'remote-only');
    assert.equal(await client.localNameFor(repo.repo, 'main'), 'main');
  });

  it('adds worktrees for a new, a local and a remote-only branch, saying which branches it created', async () => {
    await withRemote();
    await git(repo.repo, 'branch', 'local-one');
    const added = [
      await client.addWorktree(repo.repo, join(repo.root, 'wt-new'), { kind: 'new', branch: 'fresh', base: 'main' }),
      await client.addWorktree(repo.repo, join(repo.root, 'wt-local'), { kind: 'existing', branch: 'local-one' }),
      await client.addWorktree(repo.repo, join(repo.root, 'wt-remote'), { kind: 'existing', branch: 'remote-only' }),
    ];
    assert.deepEqual(added.map((result) => result.createdBranch), [true, false, true]);
    const branches = (await client.listWorktrees(repo.repo)).map((worktree) => worktree.branch);
    assert.deepEqual(branches.sort(), ['fresh', 'local-one', 'main', 'remote-only']);
    assert.equal(await git(join(repo.root, 'wt-remote'), 'rev-parse', '--abbrev-ref', '@{upstream}'), 'origin/remote-only');
    await assert.rejects(client.addWorktree(repo.repo, join(repo.root, 'wt-none'), { kind: 'existing', branch: 'nowhere' }), /exists neither locally nor on a remote/);
  });

  it('reports dirty files, unpushed commits and changed lines of a worktree', async () => {
    const worktree = join(repo.root, 'wt');
    await client.addWorktree(repo.repo, worktree, { kind: 'new', branch: 'topic', base: 'main' });
    assert.deepEqual(await client.dirtyFiles(worktree), []);
    assert.deepEqual(await client.unpushedCommits(worktree, 'main'), []);
    await writeFile(join(worktree, 'README.md'), '# demo\nmore\n');
    await git(worktree, 'commit', '-q', '-am', 'more');
    await writeFile(join(worktree, 'draft.md'), 'draft\n');
    assert.deepEqual(await client.dirtyFiles(worktree), ['draft.md']);
    assert.deepEqual((await client.unpushedCommits(worktree, 'main')).map((line) => line.replace(/^\w+ /, '')), ['more']);
    const changes = await worktreeChanges(client, worktree, 'main');
    assert.deepEqual([changes.added, changes.removed, changes.dirty], [1, 0, true]);
  });

  it('lists what a workspace changed against its base: committed, uncommitted, renamed, deleted, binary and untracked files', async () => {
    await writeFile(join(repo.repo, 'old.txt'), 'one\ntwo\nthree\nfour\nfive\nsix\n');
    await writeFile(join(repo.repo, 'doomed.txt'), 'bye\n');
    await git(repo.repo, 'add', '.');
    await git(repo.repo, 'commit', '-qm', 'base files');
    const forkPoint = (await git(repo.repo, 'rev-parse', 'main')).trim();
    const worktree = join(repo.root, 'wt');
    await client.addWorktree(repo.repo, worktree, { kind: 'new', branch: 'topic', base: 'main' });
    await writeFile(join(worktree, 'committed.txt'), 'a\nb\n');
    await git(worktree, 'rm', '-q', 'doomed.txt');
    await git(worktree, 'add', '.');
    await git(worktree, 'commit', '-qm', 'on the branch');
    // main moves on: its new commit is not the workspace's change.
    await writeFile(join(repo.repo, 'upstream.txt'), 'main only\n');
    await git(repo.repo, 'add', '.');
    await git(repo.repo, 'commit', '-qm', 'upstream');
    // Not committed: a rename, an edit, a staged binary file, an untracked file with an awkward name.
    await git(worktree, 'mv', 'old.txt', 'moved with space.txt');
    await writeFile(join(worktree, 'README.md'), `${await readFile(join(worktree, 'README.md'), 'utf8')}edited\n`);
    await writeFile(join(worktree, 'image.bin'), Buffer.from([0, 1, 2, 0, 255]));
    await git(worktree, 'add', 'image.bin');
    await mkdir(join(worktree, 'notes'));
    await writeFile(join(worktree, 'notes', 'todo "1".txt'), 'later\n');

    const changes = await worktreeChanges(client, worktree, 'main');
    assert.equal(changes.baseCommit, forkPoint, 'counted from the merge base, not from main\'s tip');
    const summary = changes.files.map((file) => `${file.kind} ${file.path}${file.oldPath ? ` <- ${file.oldPath}` : ''} +${file.added} -${file.removed}${file.binary ? ' binary' : ''}`);
    assert.deepEqual(summary, [
      'added committed.txt +2 -0',
      'deleted doomed.txt +0 -1',
      'added image.bin +0 -0 binary',
      'renamed moved with space.txt <- old.txt +0 -0',
      'untracked notes/todo "1".txt +0 -0',
      'modified README.md +1 -0',
    ]);
    assert.deepEqual([changes.added, changes.removed, changes.dirty], [3, 1, true]);
    assert.equal(await textAt(client, worktree, changes.baseCommit, 'doomed.txt'), 'bye\n');
    assert.equal(await textAt(client, worktree, changes.baseCommit, 'committed.txt'), '', 'a file the base did not have is empty there');
    await assert.rejects(textAt(client, worktree, '--output=/tmp/x', 'README.md'), /not a commit id/);
  });

  it('removes a clean worktree, refuses a dirty one without force, and deletes a branch', async () => {
    const worktree = join(repo.root, 'wt');
    await client.addWorktree(repo.repo, worktree, { kind: 'new', branch: 'topic', base: 'main' });
    await writeFile(join(worktree, 'draft.md'), 'draft\n');
    await assert.rejects(client.removeWorktree(repo.repo, worktree, { force: false }));
    await client.removeWorktree(repo.repo, worktree, { force: true });
    assert.deepEqual((await client.listWorktrees(repo.repo)).map((info) => info.branch), ['main']);
    await client.deleteBranch(repo.repo, 'topic');
    assert.equal(await client.localBranchExists(repo.repo, 'topic'), false);
    await client.deleteBranch(repo.repo, 'topic');
  });

  it('ignores a path through info/exclude once, never through a committed file', async () => {
    await client.ignoreLocally(repo.repo, 'scratch.txt');
    await client.ignoreLocally(repo.repo, 'scratch.txt');
    await writeFile(join(repo.repo, 'scratch.txt'), 'x\n');
    assert.deepEqual(await client.dirtyFiles(repo.repo), []);
    const exclude = await git(repo.repo, 'rev-parse', '--git-path', 'info/exclude');
    const lines = await readFile(join(repo.repo, exclude), 'utf8');
    assert.equal(lines.split('\n').filter((line) => line === '/scratch.txt').length, 1);
  });
});
