import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForEvent } from '../../src/core/events';
import { GitClient } from '../../src/core/git/GitClient';
import { WorktreeWatcher, worktreeGitDir } from '../../src/core/git/WorktreeWatcher';
import { git, makeRepo } from '../helpers/gitRepo';

describe('WorktreeWatcher', () => {
  let repo: Awaited<ReturnType<typeof makeRepo>>;
  let worktree: string;
  let watcher: WorktreeWatcher;
  const fired: string[] = [];

  beforeEach(async () => {
    repo = await makeRepo();
    worktree = join(repo.root, 'wt');
    await new GitClient().addWorktree(repo.repo, worktree, { kind: 'new', branch: 'topic', base: 'main' });
    fired.length = 0;
    watcher = new WorktreeWatcher({ debounceMs: 100 });
    watcher.onDidChange((id) => fired.push(id));
  });
  afterEach(async () => {
    watcher.dispose();
    await repo.cleanup();
  });

  /** The change event `action` causes. */
  async function nextChange(action: () => Promise<unknown>): Promise<string> {
    const next = waitForEvent(watcher.onDidChange, () => true, 5000, 'worktree change');
    await action();
    return next;
  }

  it('finds the worktree\'s own git folder from its .git file', async () => {
    assert.equal(await worktreeGitDir(worktree), join(repo.repo, '.git', 'worktrees', 'wt'));
  });

  it('tells once per burst when the worktree\'s index or HEAD changes: a stage, then a commit', async () => {
    await watcher.track([{ id: 'ws-1', worktreePath: worktree }]);
    await writeFile(join(worktree, 'new.txt'), 'new\n');
    assert.equal(await nextChange(() => git(worktree, 'add', 'new.txt')), 'ws-1');
    fired.length = 0;
    assert.equal(await nextChange(() => git(worktree, 'commit', '-qm', 'new file')), 'ws-1');
    assert.deepEqual(fired, ['ws-1'], 'a commit touches the index, HEAD\'s log and refs at once: one event');
  });

  it('stops telling about a worktree that is no longer tracked', async () => {
    await watcher.track([{ id: 'ws-1', worktreePath: worktree }]);
    await writeFile(join(worktree, 'a.txt'), 'a\n');
    await nextChange(() => git(worktree, 'add', 'a.txt'));
    watcher.track([]);
    fired.length = 0;
    await git(worktree, 'commit', '-qm', 'a');
    // A second, tracked worktree's event marks the moment the first one's would have arrived by.
    const other = join(repo.root, 'wt2');
    await new GitClient().addWorktree(repo.repo, other, { kind: 'new', branch: 'other', base: 'main' });
    await watcher.track([{ id: 'ws-2', worktreePath: other }]);
    await writeFile(join(other, 'b.txt'), 'b\n');
    await nextChange(() => git(other, 'add', 'b.txt'));
    assert.deepEqual(fired, ['ws-2']);
  });

  it('watches nothing, and says nothing, for a folder that is not a worktree', async () => {
    await watcher.track([{ id: 'gone', worktreePath: join(repo.root, 'nowhere') }]);
    await watcher.track([{ id: 'gone', worktreePath: join(repo.root, 'nowhere') }, { id: 'ws-1', worktreePath: worktree }]);
    await writeFile(join(worktree, 'c.txt'), 'c\n');
    assert.equal(await nextChange(() => git(worktree, 'add', 'c.txt')), 'ws-1');
  });
});
