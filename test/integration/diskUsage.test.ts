import * as assert from 'node:assert/strict';
import { link, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DiskUsage, measureFolder, sizeWords, type Measure } from '../../src/core/disk/DiskUsage';
import { WorkspaceTreeModel } from '../../src/ui/tree/WorkspaceTreeModel';
import type { WorkspaceNode } from '../../src/ui/tree/nodes';
import { gate } from '../helpers/gate';
import { useWorld } from '../helpers/world';

const MB = 1024 * 1024;

describe('disk usage of worktrees (real git)', () => {
  const world = useWorld();

  it('counts a worktree\'s files, its .git file included, each hard link once, and skips a main checkout\'s .git folder', async () => {
    const ws = await world.readyWorkspace();
    const before = await measureFolder(ws.worktreePath);
    await mkdir(join(ws.worktreePath, 'node_modules', 'pkg'), { recursive: true });
    await writeFile(join(ws.worktreePath, 'node_modules', 'pkg', 'big.bin'), Buffer.alloc(2 * MB, 1));
    await link(join(ws.worktreePath, 'node_modules', 'pkg', 'big.bin'), join(ws.worktreePath, 'node_modules', 'pkg', 'same.bin'));
    const after = await measureFolder(ws.worktreePath);
    assert.equal(before.files, 2, 'README.md and the worktree\'s .git file');
    assert.equal(after.files, before.files + 2);
    assert.ok(after.bytes - before.bytes >= 2 * MB && after.bytes - before.bytes < 3 * MB, `the hard-linked file counts once: ${after.bytes - before.bytes}`);
    const main = await measureFolder(world.repo.repo);
    assert.equal(main.files, 1, 'only README.md: the repository\'s .git folder is not the checkout\'s');
  });

  it('measures once per expiry however often it is asked, and again once expired', async () => {
    let now = 1_000_000;
    let walks = 0;
    const measure: Measure = async (root) => {
      walks += 1;
      return measureFolder(root);
    };
    const usage = new DiskUsage({ measure, maxAgeMs: 60_000, now: () => now });
    const ws = await world.readyWorkspace();
    assert.equal(usage.cached(ws.worktreePath), undefined);
    const [a, b] = await Promise.all([usage.size(ws.worktreePath), usage.size(ws.worktreePath)]);
    assert.equal(walks, 1, 'two askers at once share one walk');
    assert.deepEqual(a, b);
    now += 59_000;
    await usage.size(ws.worktreePath);
    assert.equal(walks, 1, 'fresh: no walk');
    now += 2_000;
    assert.ok(usage.isStale(ws.worktreePath));
    await usage.size(ws.worktreePath);
    assert.equal(walks, 2, 'expired: measured again');
    await usage.size(ws.worktreePath, { fresh: true });
    assert.equal(walks, 3, 'asked fresh: measured again');
  });

  it('draws the tree without measuring, then shows the size in the tooltip once measured after the rows are drawn', async () => {
    const ws = await world.readyWorkspace();
    const walking = gate();
    let walks = 0;
    const usage = new DiskUsage({
      measure: async (root) => {
        walks += 1;
        await walking.promise;
        return measureFolder(root);
      },
    });
    const model = new WorkspaceTreeModel(world.lifecycle, 10, undefined, undefined, undefined, usage);
    try {
      await model.refresh('startup');
      const row = () => model.findWorkspace(ws.id) as WorkspaceNode;
      assert.ok(row(), 'the rows are drawn while the walk is held');
      assert.doesNotMatch(row().tooltip ?? '', /On disk/);
      assert.match(row().tooltip ?? '', /Ports: \d+-\d+/, 'the tooltip shows the block');
      walking.open();
      await model.whenSized();
      assert.match(row().tooltip ?? '', /On disk: [\d.]+ KB in 2 files \(measured just now\)/);
      assert.equal(walks, 1);
      await model.refresh('manual');
      await model.refresh('event');
      await model.whenSized();
      assert.equal(walks, 1, 'a fresh size is not measured again by refreshes');
    } finally {
      model.dispose();
    }
  });

  it('says sizes in words', () => {
    assert.equal(sizeWords(0), '0 B');
    assert.equal(sizeWords(1536), '1.5 KB');
    assert.equal(sizeWords(340 * MB), '340 MB');
    assert.equal(sizeWords(1.25 * 1024 * MB), '1.3 GB');
  });
});
