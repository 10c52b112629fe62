import * as assert from 'node:assert/strict';
import { ActivitySampler } from '../../src/core/agents/ActivitySampler';
import type { CommandRecord } from '../../src/core/commandLog';
import { waitForEvent } from '../../src/core/events';
import type { RuntimeLifecycle } from '../../src/core/lifecycle/RuntimeLifecycle';
import type { TmuxClient } from '../../src/core/tmux/TmuxClient';
import { eventually } from '../helpers/poll';
import { useWorld } from '../helpers/world';

const AGENT = ['/bin/sh', '-c', 'exec sleep 600'];

describe('idle work', () => {
  const world = useWorld({ start: false });

  /** A started lifecycle with agents running whose client logs into `records`, its connection up; the safety net every `safetyNetMs` (0: none). */
  async function running(records: CommandRecord[], labels: readonly string[], safetyNetMs = 20): Promise<{ lifecycle: RuntimeLifecycle; tmux: TmuxClient; names: Set<string> }> {
    const tmux = world.fixture.client({ log: (record) => records.push(record) });
    const lifecycle = await world.harness.lifecycle({ tmuxClient: tmux, safetyNetMs });
    await lifecycle.start();
    const ws = await lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/idle' });
    const names = new Set<string>();
    for (const label of labels) names.add((await lifecycle.launchSession(ws.id, { kind: 'agent', label, command: AGENT })).tmuxName);
    await eventually(async () => {
      await tmux.listSessions();
      return records.at(-1)?.via === 'connection';
    }, 5000, 'the control connection carries commands');
    return { lifecycle, tmux, names };
  }

  it('sees a session killed from outside end, with its exit check listed over the connection', async () => {
    const records: CommandRecord[] = [];
    const { lifecycle, names } = await running(records, ['one', 'two']);
    const [victim] = names;
    records.length = 0;
    const ended = waitForEvent(lifecycle.onDidChange, (change) => change.type === 'session-ended' && change.session.tmuxName === victim, 5000, 'session-ended');
    await world.fixture.tmux('kill-session', '-t', `=${victim}`);
    await ended;
    assert.deepEqual(records.filter((record) => record.via === undefined).map((record) => record.argv.join(' ')), []);
    assert.ok(records.some((record) => record.via === 'connection' && record.argv.includes('list-sessions')));
  });

  it('lists sessions for an exit check when a session ends, not when one starts', async () => {
    const records: CommandRecord[] = [];
    const { lifecycle, names } = await running(records, ['one'], 0);
    const ws = lifecycle.session([...names][0])!.workspaceId;
    records.length = 0;
    const started = await lifecycle.launchSession(ws, { kind: 'agent', label: 'two', command: AGENT });
    // The exit check a kill starts comes after anything the launch's notifications started.
    const ended = waitForEvent(lifecycle.onDidChange, (change) => change.type === 'session-ended' && change.session.key === started.key, 5000, 'session-ended');
    await world.fixture.tmux('kill-session', '-t', `=${started.tmuxName}`);
    await ended;
    const listings = records.filter((record) => record.argv.includes('list-sessions'));
    assert.equal(listings.length, 1, 'one listing: the exit check after the kill');
  });

  it('spawns no tmux process while agents run and nothing changes: refreshes, activity reads and safety-net reconciles go over the connection', async () => {
    const records: CommandRecord[] = [];
    const { lifecycle, tmux, names } = await running(records, ['one', 'two', 'three']);
    records.length = 0;
    let reconciles = 0;
    lifecycle.onDidChange((change) => void (change.type === 'reconciled' && (reconciles += 1)));
    const sampler = new ActivitySampler(tmux);
    // What a visible view does while nothing changes: refresh the tree, sample activity; the safety net ticks meanwhile.
    await eventually(async () => {
      await lifecycle.listWorkspaces();
      const readings = await sampler.sample(names);
      assert.equal(readings.size, names.size);
      return reconciles >= 10;
    }, 10_000, 'ten safety-net reconciles');

    const spawned = records.filter((record) => record.via === undefined);
    assert.deepEqual(spawned.map((record) => record.argv.join(' ')), [], 'tmux processes spawned while idle');
    assert.ok(records.some((record) => record.via === 'connection'), 'the activity reads asked tmux');
  });
});
