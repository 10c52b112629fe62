import * as assert from 'node:assert/strict';
import type { PortBlock } from '../../src/core/store/records';
import { TmuxFixture } from '../helpers/tmuxFixture';
import { WindowWorld } from '../helpers/windowWorld';

/** A base of this file's own, away from the default and other test files' blocks. */
const BASE = 48300;

function disjoint(blocks: readonly PortBlock[]): boolean {
  const sorted = [...blocks].sort((a, b) => a.first - b.first);
  return sorted.every((block, i) => i === 0 || sorted[i - 1].first + sorted[i - 1].count <= block.first);
}

describe('port blocks across windows (two processes, real tmux and git)', function () {
  this.timeout(90_000);
  let fixture: TmuxFixture;
  let world: WindowWorld;

  before(async () => {
    fixture = await TmuxFixture.create();
  });
  after(async () => {
    await fixture.dispose();
  });
  beforeEach(async () => {
    world = await WindowWorld.create(fixture, { portBase: BASE });
  });
  afterEach(async () => {
    await world.dispose();
    await fixture.killServer();
  });

  it('gives workspaces two windows create at the same time disjoint blocks', async () => {
    const [a, b] = await Promise.all([world.activate(), world.activate()]);
    const branches = (prefix: string) => ['one', 'two', 'three'].map((name) => `${prefix}/${name}`);
    const made = await Promise.all([
      Promise.all(branches('a').map((branch) => a.create(world.repo, branch))),
      Promise.all(branches('b').map((branch) => b.create(world.repo, branch))),
    ]);
    for (const record of made.flat()) assert.equal(record.status, 'ready', record.lastError);
    await Promise.all([a.call({ op: 'settle' }), b.call({ op: 'settle' })]);
    const blocks = world.store.workspaces().map((record) => record.ports);
    assert.equal(blocks.length, 6);
    assert.ok(blocks.every((block): block is PortBlock => block !== undefined), 'every workspace has its block');
    assert.ok(disjoint(blocks), `no two blocks overlap: ${JSON.stringify(blocks)}`);
    assert.deepEqual(made.flat().map((record) => record.ports).sort((x, y) => x!.first - y!.first), [...blocks].sort((x, y) => x.first - y.first), 'the windows returned the blocks the records keep');
  });
});
