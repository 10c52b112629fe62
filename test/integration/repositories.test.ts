import * as assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GitClient } from '../../src/core/git/GitClient';
import { anyGitRepository } from '../../src/ui/host';
import { makeRepo } from '../helpers/gitRepo';

describe('open repositories', () => {
  it('says a git repository is open only when an offered path is really inside one', async () => {
    const { root, repo, cleanup } = await makeRepo();
    try {
      const plain = join(root, 'notes');
      await mkdir(plain);
      const git = new GitClient();
      assert.equal(await anyGitRepository([], git), false);
      assert.equal(await anyGitRepository([plain, join(root, 'missing')], git), false, 'open folders that are not repositories do not count');
      assert.equal(await anyGitRepository([plain, repo], git), true);
      assert.equal(await anyGitRepository([join(repo, 'sub')], git), false, 'a missing folder is no repository');
    } finally {
      await cleanup();
    }
  });
});
