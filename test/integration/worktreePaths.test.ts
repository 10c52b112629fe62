import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CommandRecord } from '../../src/core/commandLog';
import { GitClient } from '../../src/core/git/GitClient';
import { WorktreePaths } from '../../src/core/git/WorktreePaths';
import { git, makeRepo } from '../helpers/gitRepo';

describe('WorktreePaths', () => {
  let repo: Awaited<ReturnType<typeof makeRepo>>;
  beforeEach(async () => {
    repo = await makeRepo();
  });
  afterEach(() => repo.cleanup());

  it('asks git again only once a worktree was added, moved or removed', async () => {
    const commands: CommandRecord[] = [];
    const client = new GitClient({ log: (record) => commands.push(record) });
    const paths = new WorktreePaths(client);
    const lists = () => commands.filter((record) => record.argv.includes('worktree') && record.argv.includes('list')).length;

    assert.deepEqual(await paths.of(repo.repo), [repo.repo]);
    assert.deepEqual(await paths.of(repo.repo), [repo.repo]);
    assert.equal(lists(), 1, 'nothing changed: no second git process');

    const one = join(repo.root, 'one');
    await client.addWorktree(repo.repo, one, { kind: 'new', branch: 'one', base: 'main' });
    assert.deepEqual(await paths.of(repo.repo), [repo.repo, one]);
    assert.deepEqual(await paths.of(repo.repo), [repo.repo, one]);
    assert.equal(lists(), 2);

    const moved = join(repo.root, 'moved');
    await git(repo.repo, 'worktree', 'move', one, moved);
    assert.deepEqual(await paths.of(repo.repo), [repo.repo, moved]);
    await git(repo.repo, 'worktree', 'remove', moved);
    assert.deepEqual(await paths.of(repo.repo), [repo.repo]);
    assert.equal(lists(), 4);
  });
});
