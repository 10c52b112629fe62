import * as assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { LifecycleOptions } from '../../src/core/lifecycle/RuntimeLifecycle';
import { eventually } from '../helpers/poll';
import { useWorld, type World } from '../helpers/world';

/** A base of this file's own, away from the default and other test files' blocks. */
const BASE = 47300;

const TEMPLATES: LifecycleOptions['environmentTemplates'] = () => [
  { source: '.tmux-workspaces.json', env: { COMPOSE_PROJECT_NAME: 'app-{name}', API_URL: 'http://localhost:{port}' } },
  { source: 'setting tmuxWorkspaces.env', env: { API_URL: 'http://localhost:{port+1}' } },
];

/** The variables every pane of the workspace must have. */
function assertWorkspaceVariables(env: string, first: number, where: string): void {
  assert.match(env, /^TMUX_WORKSPACES_NAME=feature-one$/m, `${where}: name`);
  assert.match(env, /^TMUX_WORKSPACES_BRANCH=feature\/one$/m, `${where}: branch`);
  assert.match(env, /^TMUX_WORKSPACES_ROOT=\/.*\/repo$/m, `${where}: root`);
  assert.match(env, new RegExp(`^TMUX_WORKSPACES_PORT=${first}$`, 'm'), `${where}: port`);
  assert.match(env, new RegExp(`^TMUX_WORKSPACES_PORTS=${first}-${first + 9}$`, 'm'), `${where}: ports`);
  assert.match(env, /^COMPOSE_PROJECT_NAME=app-feature-one$/m, `${where}: a templated variable`);
  assert.match(env, new RegExp(`^API_URL=http://localhost:${first + 1}$`, 'm'), `${where}: the later layer wins`);
}

/** Waits for a pane's `env` dump (written to `file.tmp`, then moved, so it is whole). */
function dumpOf(file: string, what: string): Promise<string> {
  return eventually(() => readFile(file, 'utf8').catch(() => undefined), 10_000, what);
}

describe('workspace ports and variables (real tmux, real git)', () => {
  let dumps: string;
  const world: World = useWorld({
    stateDir: true,
    // The login shell of base terminals and shells writes its environment, named by session, then stays.
    setup: async (w) => {
      dumps = w.repo.root;
      const shell = join(w.stateDir, 'dumping-shell');
      await writeFile(shell, `#!/bin/sh\nenv > "${dumps}/$TMUX_WORKSPACES_SESSION.tmp" && mv "${dumps}/$TMUX_WORKSPACES_SESSION.tmp" "${dumps}/$TMUX_WORKSPACES_SESSION.env"\nexec sleep 600\n`);
      await chmod(shell, 0o755);
    },
  });

  async function lifecycle(overrides: Partial<LifecycleOptions> = {}) {
    const made = await world.harness.lifecycle({ stateDir: world.stateDir, shell: join(world.stateDir, 'dumping-shell'), ports: () => [{ base: BASE }], environmentTemplates: TEMPLATES, ...overrides });
    await made.start();
    return made;
  }

  it('hands the variables to the base terminal, a shell, an agent and setup, never to the tmux server or session environment', async () => {
    const lc = await lifecycle();
    const setupDump = join(dumps, 'setup.env');
    const ws = await lc.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/one', setupCommand: `env > "${setupDump}.tmp" && mv "${setupDump}.tmp" "${setupDump}"` });
    assert.equal(ws.status, 'ready', ws.lastError);
    const first = ws.ports!.first;
    assert.ok(first >= BASE && (first - BASE) % 10 === 0, `an aligned block from the base, not ${first}`);
    assertWorkspaceVariables(await dumpOf(setupDump, 'setup env'), first, 'setup');
    assertWorkspaceVariables(await dumpOf(join(dumps, `${ws.baseSession}.env`), 'base env'), first, 'base terminal');
    const shell = await lc.launchSession(ws.id, { kind: 'shell' });
    assertWorkspaceVariables(await dumpOf(join(dumps, `${shell.tmuxName}.env`), 'shell env'), first, 'shell');
    const agentDump = join(dumps, 'agent.env');
    const agent = await lc.launchSession(ws.id, { kind: 'agent', label: 'stand-in', command: ['/bin/sh', '-c', 'env > "$0.tmp" && mv "$0.tmp" "$0"; exec sleep 600', agentDump] });
    assertWorkspaceVariables(await dumpOf(agentDump, 'agent env'), first, 'agent');

    const leaked = /TMUX_WORKSPACES_(NAME|BRANCH|ROOT|PORT)|COMPOSE_PROJECT_NAME|API_URL/;
    assert.doesNotMatch(await world.fixture.tmux('show-environment', '-g'), leaked, 'the server\'s global environment has none of them');
    for (const name of [ws.baseSession, shell.tmuxName, agent.tmuxName]) {
      assert.doesNotMatch(await world.fixture.tmux('show-environment', '-t', `=${name}`), leaked, `session ${name}'s environment has none of them`);
    }
  });

  it('keeps a workspace\'s block for its life and gives two workspaces disjoint blocks', async () => {
    const lc = await lifecycle();
    const one = await lc.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/one' });
    const two = await lc.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/two' });
    assert.ok(one.ports && two.ports);
    assert.ok(one.ports.first + one.ports.count <= two.ports.first || two.ports.first + two.ports.count <= one.ports.first, `disjoint: ${JSON.stringify([one.ports, two.ports])}`);
    await lc.launchSession(one.id, { kind: 'shell' });
    assert.deepEqual(lc.workspace(one.id)?.ports, one.ports, 'a launch keeps the block');
    const reloaded = await world.harness.reload({ stateDir: world.stateDir, ports: () => [{ base: BASE, blockSize: 20 }] });
    assert.deepEqual(reloaded.workspace(two.id)?.ports, two.ports, 'a changed setting leaves existing blocks alone');
  });

  it('skips a block where another program listens', async () => {
    const base = BASE + 500;
    const server: Server = createServer();
    await new Promise<void>((listening) => server.listen({ port: base + 3, host: '127.0.0.1' }, listening));
    try {
      const lc = await lifecycle({ ports: () => [{ base, blockSize: 10 }] });
      const ws = await lc.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/one' });
      assert.ok(ws.ports && ws.ports.first >= base + 10, `the block holding the busy port ${base + 3} was skipped: ${JSON.stringify(ws.ports)}`);
    } finally {
      await new Promise((closed) => server.close(closed));
    }
  });

  it('gives a workspace made before ports existed a block when its next pane starts', async () => {
    const lc = await lifecycle();
    const ws = await lc.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/one' });
    await world.harness.lifecycles[0].dispose();
    // As an older version wrote it: no block.
    const { RecordStore } = await import('../../src/core/store/RecordStore');
    const store = new RecordStore(world.harness.memento);
    await store.update(ws.id, { ports: undefined });
    const later = await world.harness.reload({ stateDir: world.stateDir, shell: join(world.stateDir, 'dumping-shell'), ports: () => [{ base: BASE + 200 }], environmentTemplates: TEMPLATES });
    assert.equal(later.workspace(ws.id)?.ports, undefined);
    const shell = await later.launchSession(ws.id, { kind: 'shell' });
    const ports = later.workspace(ws.id)?.ports;
    assert.ok(ports && ports.first >= BASE + 200, `it got a block: ${JSON.stringify(ports)}`);
    assert.match(await dumpOf(join(dumps, `${shell.tmuxName}.env`), 'shell env'), new RegExp(`^TMUX_WORKSPACES_PORT=${ports.first}$`, 'm'));
  });

  it('refuses a launch over a bad template with the variable named, and starts nothing', async () => {
    const lc = await lifecycle();
    const ws = await lc.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/one' });
    const bad = await lifecycle({ environmentTemplates: () => [{ source: 'setting tmuxWorkspaces.env', env: { DB: 'postgres://{host}' } }] });
    const before = await world.liveNames();
    await assert.rejects(bad.launchSession(ws.id, { kind: 'shell' }), /setting tmuxWorkspaces\.env\.DB has an unknown placeholder \{host\}/);
    assert.deepEqual(await world.liveNames(), before, 'no session was started');
  });

  it('puts the project file\'s ports and env under the user\'s settings, and its env only into a trusted workspace\'s panes', async () => {
    await writeFile(join(world.repo.repo, '.tmux-workspaces.json'), JSON.stringify({ ports: { base: BASE + 400, blockSize: 20 }, env: { FROM_FILE: 'file-{port+1}', SHARED: 'file' } }));
    const userLayer: LifecycleOptions['environmentTemplates'] = () => [{ source: 'setting tmuxWorkspaces.env', env: { SHARED: 'setting' } }];
    const lc = await lifecycle({ ports: () => [{ blockSize: 4 }], environmentTemplates: userLayer });
    const ws = await lc.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/one' });
    const ports = ws.ports!;
    assert.ok(ports.first >= BASE + 400 && ports.first < BASE + 500, `the file's base: ${ports.first}`);
    assert.equal(ports.count, 4, 'the user\'s block size wins over the file\'s');
    const shell = await lc.launchSession(ws.id, { kind: 'shell' });
    const env = await dumpOf(join(dumps, `${shell.tmuxName}.env`), 'shell env');
    assert.match(env, new RegExp(`^FROM_FILE=file-${ports.first + 1}$`, 'm'), 'the file\'s variable, templated');
    assert.match(env, /^SHARED=setting$/m, 'the user\'s layer wins');

    const untrusted = await lifecycle({ isTrusted: () => false, ports: () => [{ blockSize: 4 }], environmentTemplates: userLayer });
    const agentDump = join(dumps, 'untrusted-agent.env');
    await untrusted.launchSession(ws.id, { kind: 'agent', label: 'stand-in', command: ['/bin/sh', '-c', 'env > "$0.tmp" && mv "$0.tmp" "$0"; exec sleep 600', agentDump] });
    const untrustedEnv = await dumpOf(agentDump, 'agent env');
    assert.doesNotMatch(untrustedEnv, /^FROM_FILE=/m, 'an untrusted workspace gets none of the file\'s variables');
    assert.match(untrustedEnv, /^SHARED=setting$/m);
  });
});
