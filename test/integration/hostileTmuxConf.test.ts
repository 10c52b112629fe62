import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { waitForEvent } from '../../src/core/events';
import type { LifecycleChange } from '../../src/core/lifecycle/RuntimeLifecycle';
import { eventually } from '../helpers/poll';
import { useWorld } from '../helpers/world';

/** Settings common in users' ~/.tmux.conf that our server loads too. */
const HOSTILE_CONFIG = [
  'set -g destroy-unattached on',
  'set -s exit-unattached on',
  'set -g base-index 1',
  'setw -g pane-base-index 1',
  'set -g default-command "exit 3"',
  'set -g status off',
  'new-session -s user-main',
  '',
].join('\n');

const AGENT = ['/bin/sh', '-c', 'echo agent ready; exec sleep 600'];

describe('under a hostile user tmux config', () => {
  const world = useWorld({ tmuxConfig: HOSTILE_CONFIG });

  /** Still there after the server had every chance to act on its options (one more client round trip). */
  async function stillAlive(...names: string[]): Promise<void> {
    await world.fixture.tmux('display-message', '-p', 'ping');
    const live = await world.liveNames();
    for (const name of names) assert.ok(live.includes(name), `${name} is alive (live: ${live.join(', ') || 'none'})`);
  }

  it('creates a workspace whose base terminal stays alive', async () => {
    const ws = await world.readyWorkspace();
    assert.equal(ws.status, 'ready');
    await stillAlive(ws.baseSession);
  });

  it('launches an agent and a shell that run our command, not the default-command', async () => {
    const ws = await world.readyWorkspace();
    const agent = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'agent', command: AGENT });
    const shell = await world.lifecycle.launchSession(ws.id, { kind: 'shell' });
    await stillAlive(ws.baseSession, agent.tmuxName, shell.tmuxName);
    await world.fixture.waitForText(agent.tmuxName, 'agent ready');
  });

  it('keeps every session alive when the last client attaches and detaches', async () => {
    const ws = await world.readyWorkspace();
    const agent = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'agent', command: AGENT });
    world.lifecycle.dispose(); // the window closes: its watcher is a client too, and leaves
    await eventually(async () => (await world.fixture.tmux('list-clients')).trim() === '', 5000, 'watcher gone');
    const command = world.fixture.command;
    const client = execa(command[0], [...command.slice(1), '-C', 'attach-session', '-t', `=${agent.tmuxName}`], {
      env: { PATH: process.env.PATH ?? '', TMUX_TMPDIR: world.fixture.dir },
      extendEnv: false,
      stdin: 'pipe',
      reject: false,
    });
    await eventually(async () => (await world.fixture.tmux('list-clients', '-F', '#{session_name}')).includes(agent.tmuxName), 5000, 'client attached');
    client.stdin?.end();
    await client;
    assert.equal((await world.fixture.tmux('list-clients')).trim(), '', 'the client detached');
    await stillAlive(ws.baseSession, agent.tmuxName);
  });

  it('stops a session, and sees a session that exits by itself', async () => {
    const ws = await world.readyWorkspace();
    const stopped = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'stopped', command: AGENT });
    await world.lifecycle.stopSession(stopped.key);
    assert.ok(!(await world.liveNames()).includes(stopped.tmuxName));
    const exiting = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'exiting', command: ['/bin/sh', '-c', 'read line; exit 5'] });
    const ended = waitForEvent(world.lifecycle.onDidChange, (change: LifecycleChange) => change.type === 'session-ended', 5000);
    await world.fixture.tmux('send-keys', '-t', `=${exiting.tmuxName}:`, 'done', 'Enter');
    const change = await ended;
    assert.ok(change.type === 'session-ended' && change.natural && change.exitCode === 5);
    await stillAlive(ws.baseSession);
  });

  it('deletes a workspace: sessions, worktree and records', async () => {
    const ws = await world.readyWorkspace();
    const agent = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'agent', command: AGENT });
    await world.lifecycle.deleteWorkspace(ws.id);
    const live = await world.liveNames();
    assert.ok(!live.includes(agent.tmuxName) && !live.includes(ws.baseSession));
    assert.ok(!existsSync(ws.worktreePath));
    assert.deepEqual(await world.lifecycle.listWorkspaces(), []);
  });
});
