import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DiskUsage } from '../../src/core/disk/DiskUsage';
import type { CommandContext, PickItem, PickOptions } from '../../src/ui/host';
import { CommandId } from '../../src/ui/ids';
import { RecordingLog, ScriptedHost, runGuarded, plainSettings } from '../helpers/scriptedHost';
import { useWorld } from '../helpers/world';

const settings = plainSettings();

/** A scripted host that keeps every pick's rows, as the user saw them. */
class ListingHost extends ScriptedHost {
  readonly lists: { title: string; rows: PickItem[] }[] = [];

  override pick<T extends PickItem>(items: readonly T[], options: PickOptions<T>): Promise<T | undefined> {
    this.lists.push({ title: options.title, rows: [...items] });
    return super.pick(items, options);
  }
}

describe('Show Disk Usage (real git and tmux)', () => {
  const world = useWorld();

  function context(host: ScriptedHost): CommandContext {
    return { lifecycle: world.lifecycle, host, log: new RecordingLog(), settings, repositories: { repositories: async () => [world.repo.repo] }, environment: process.env, diskUsage: new DiskUsage() };
  }

  async function two() {
    const small = await world.readyWorkspace('feature/small');
    const big = await world.readyWorkspace('feature/big');
    await writeFile(join(big.worktreePath, 'data.bin'), Buffer.alloc(3 * 1024 * 1024, 1));
    return { small, big };
  }

  it('lists the workspaces largest first with size and age, and archives the picked one through Archive Workspace', async () => {
    const { small, big } = await two();
    const host = new ListingHost(['feature/big', 'Archive Workspace', 'Archive Anyway']);
    await runGuarded(context(host), CommandId.showDiskUsage);
    const [list, actions] = host.lists;
    assert.deepEqual(list.rows.map((row) => row.label), ['feature/big', 'feature/small']);
    assert.match(list.rows[0].description ?? '', /^3\.0 MB · created just now$/);
    assert.match(list.title, /^Disk Usage: 3\.\d MB in 2 workspaces$/);
    assert.deepEqual(actions.rows.map((row) => row.label), ['Archive Workspace', 'Delete Workspace']);
    assert.equal(world.lifecycle.workspace(big.id)?.status, 'archived');
    assert.ok(!existsSync(big.worktreePath), 'the worktree went, through the archive guard (it had an untracked file)');
    assert.equal(world.lifecycle.workspace(small.id)?.status, 'ready');
  });

  it('deletes the picked one through Delete Workspace, and an archived one is listed last without a worktree', async () => {
    const { small, big } = await two();
    await world.lifecycle.archiveWorkspace(big.id, { force: true });
    const host = new ListingHost(['feature/small', 'Delete Workspace', 'Delete']);
    await runGuarded(context(host), CommandId.showDiskUsage);
    const [list, actions] = host.lists;
    assert.deepEqual(list.rows.map((row) => row.label), ['feature/small', 'feature/big']);
    assert.match(list.rows[1].description ?? '', /^no worktree · created just now · archived$/);
    assert.deepEqual(actions.rows.map((row) => row.label), ['Archive Workspace', 'Delete Workspace']);
    assert.equal(world.lifecycle.workspace(small.id), undefined, 'deleted');
    assert.ok(!existsSync(small.worktreePath));
  });
});
