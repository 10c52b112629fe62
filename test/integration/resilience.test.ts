import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { WorkspaceError } from '../../src/core/errors';
import { PaneLauncher } from '../../src/core/tmux/PaneLauncher';
import { TmuxClient } from '../../src/core/tmux/TmuxClient';
import { eventually } from '../helpers/poll';
import { useTmuxServer } from '../helpers/world';

describe('resilience', () => {
  const world = useTmuxServer();
  let stateDir: string;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'tw-state-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('retries a launch that met a tmux server on its way out, and creates the session once', async () => {
    /** The first new-session meets an exiting server, as when the last session just closed. */
    class ExitingServerOnce extends TmuxClient {
      refusals = 0;
      override async run(args: readonly string[], options: { goneIsEmpty?: boolean; input?: string } = {}) {
        if (args[0] === 'new-session' && this.refusals === 0) {
          this.refusals += 1;
          throw new WorkspaceError('gone', 'tmux new-session: server exited unexpectedly');
        }
        return super.run(args, options);
      }
    }
    const tmux = new ExitingServerOnce({ command: world.fixture.command, environment: world.fixture.environment });
    await tmux.launch({ name: 'tw-retry-1', cwd: stateDir, argv: ['sleep', '600'], markers: { '@tw_owner': 'me' } });
    assert.equal(tmux.refusals, 1);
    assert.deepEqual((await tmux.listSessions()).map((session) => [session.name, session.owner]), [['tw-retry-1', 'me']]);
  });

  it('does not retry a launch that really failed', async () => {
    const tmux = new TmuxClient({ command: world.fixture.command, environment: world.fixture.environment });
    await tmux.launch({ name: 'tw-dup', cwd: stateDir, argv: ['sleep', '600'], markers: {} });
    await assert.rejects(
      tmux.launch({ name: 'tw-dup', cwd: stateDir, argv: ['sleep', '600'], markers: {} }),
      (error: WorkspaceError) => error.kind === 'failed' && /duplicate session/.test(error.message),
    );
  });

  it('ends a server stuck exiting behind a control client that stopped reading, and launches on a new one (tmux 3.3a)', async () => {
    const tmux = world.fixture.client();
    // A pane that prints a lot, and so a lot of %output for a control client attached to it.
    await tmux.launch({ name: 'tw-before', cwd: stateDir, argv: ['/bin/sh', '-c', 'read go; seq 1 300000; exec sleep 600'], markers: {} });
    await tmux.learnServerPid();
    // Another window's control client, frozen: what the server writes it piles up unread.
    const invocation = tmux.clientInvocation(['-C', 'attach-session', '-t', '=tw-before']);
    const frozen = execa(invocation.file, invocation.args, { env: invocation.env, extendEnv: false, stdin: 'pipe', stdout: 'pipe', stderr: 'ignore', buffer: false, reject: false });
    try {
      await eventually(async () => (await world.fixture.tmux('list-clients', '-F', '#{client_control_mode}')).includes('1'), 5000, 'control client attached');
      process.kill(frozen.pid!, 'SIGSTOP');
      await world.fixture.tmux('send-keys', '-t', '=tw-before:', 'Enter');
      await world.fixture.waitForText('tw-before', '300000', 10_000);
      await world.fixture.tmux('kill-server');
      const refused = await execa(invocation.file, [...invocation.args.slice(0, -4), 'list-sessions'], { env: invocation.env, extendEnv: false, reject: false });
      assert.match(refused.stderr, /server exited unexpectedly/, 'the server is stuck exiting');

      await tmux.launch({ name: 'tw-after', cwd: stateDir, argv: ['sleep', '600'], markers: {} });
      assert.deepEqual(await world.liveNames(), ['tw-after']);
    } finally {
      process.kill(frozen.pid!, 'SIGCONT');
      frozen.kill('SIGKILL');
      await frozen;
    }
  });

  it('removes handoff files no pane consumed once they are stale, and keeps fresh ones', async () => {
    const panes = new PaneLauncher(stateDir);
    const stale = await panes.prepare('stale-launch', ['true'], { API_TOKEN: 'secret' });
    const fresh = await panes.prepare('fresh-launch', ['true'], { API_TOKEN: 'secret' });
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(stale.handoffFile, longAgo, longAgo);
    assert.equal(await panes.sweepHandoffs(60_000), 1);
    assert.ok(!existsSync(stale.handoffFile));
    assert.ok(existsSync(fresh.handoffFile));
  });
});
