import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { includeWorktreeFiles } from '../../src/core/lifecycle/worktreeInclude';
import { git, makeRepo } from '../helpers/gitRepo';

describe('.worktreeinclude', () => {
  let repo: Awaited<ReturnType<typeof makeRepo>>;
  let worktree: string;
  let outside: string;

  beforeEach(async () => {
    repo = await makeRepo();
    outside = join(repo.root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'id_ed25519'), 'PRIVATE KEY\n');
    await writeFile(join(repo.repo, '.gitignore'), '.env\nlocal/\n');
    await git(repo.repo, 'add', '.gitignore');
    await git(repo.repo, 'commit', '-q', '-m', 'ignore');
    worktree = join(repo.root, 'wt');
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  async function list(...entries: string[]): Promise<void> {
    await writeFile(join(repo.repo, '.worktreeinclude'), `${entries.join('\n')}\n`);
  }

  async function addWorktree(): Promise<void> {
    await git(repo.repo, 'worktree', 'add', '-q', '-b', 'feature', worktree, 'HEAD');
  }

  it('copies listed ignored files and folders into the worktree', async () => {
    await writeFile(join(repo.repo, '.env'), 'TOKEN=1\n');
    await mkdir(join(repo.repo, 'local'));
    await writeFile(join(repo.repo, 'local', 'settings.json'), '{}\n');
    await list('# secrets', '.env', 'local/', '../outside', 'missing');
    await addWorktree();
    const outcome = await includeWorktreeFiles(repo.repo, worktree, { trusted: true });
    assert.deepEqual(outcome.copied, ['.env', 'local']);
    assert.equal(await readFile(join(worktree, '.env'), 'utf8'), 'TOKEN=1\n');
    assert.equal(await readFile(join(worktree, 'local', 'settings.json'), 'utf8'), '{}\n');
    assert.deepEqual(outcome.refused.map((entry) => entry.entry), ['../outside']);
  });

  it('does not copy through a symlink in the main checkout (a committed keys -> ~/.ssh)', async () => {
    await symlink(outside, join(repo.repo, 'keys'));
    await git(repo.repo, 'add', 'keys');
    await git(repo.repo, 'commit', '-q', '-m', 'keys');
    await list('keys', 'keys/id_ed25519');
    await git(repo.repo, 'worktree', 'add', '-q', '-b', 'feature', worktree, 'HEAD~1');
    const outcome = await includeWorktreeFiles(repo.repo, worktree, { trusted: true });
    assert.deepEqual(outcome.copied, []);
    assert.deepEqual(outcome.refused.map((entry) => entry.entry), ['keys', 'keys/id_ed25519']);
    assert.equal(existsSync(join(worktree, 'keys')), false, 'no key reached the worktree');
  });

  it('does not copy a folder that holds a symlink to outside the repository', async () => {
    await mkdir(join(repo.repo, 'local'));
    await writeFile(join(repo.repo, 'local', 'ok.txt'), 'ok\n');
    await symlink(outside, join(repo.repo, 'local', 'ssh'));
    await list('local');
    await addWorktree();
    const outcome = await includeWorktreeFiles(repo.repo, worktree, { trusted: true });
    assert.deepEqual(outcome.copied, ['local']);
    assert.deepEqual(await readdir(join(worktree, 'local')), ['ok.txt'], 'the symlink inside is left out');
  });

  it('does not write through a symlink the branch committed (cfg -> a folder outside)', async () => {
    await addWorktree();
    await symlink(outside, join(worktree, 'cfg'));
    await git(worktree, 'add', 'cfg');
    await git(worktree, 'commit', '-q', '-m', 'cfg link');
    await mkdir(join(repo.repo, 'cfg'));
    await writeFile(join(repo.repo, 'cfg', '.env'), 'TOKEN=1\n');
    await list('cfg/.env');
    const outcome = await includeWorktreeFiles(repo.repo, worktree, { trusted: true });
    assert.deepEqual(outcome.copied, []);
    assert.deepEqual(outcome.refused.map((entry) => entry.entry), ['cfg/.env']);
    assert.deepEqual((await readdir(outside)).sort(), ['id_ed25519'], 'nothing was written outside the worktree');
  });

  it('does not run in an untrusted workspace, and says so', async () => {
    await writeFile(join(repo.repo, '.env'), 'TOKEN=1\n');
    await list('.env');
    await addWorktree();
    const outcome = await includeWorktreeFiles(repo.repo, worktree, { trusted: false });
    assert.deepEqual(outcome.copied, []);
    assert.match(outcome.note ?? '', /not trusted/);
    assert.equal(existsSync(join(worktree, '.env')), false);
  });
});
