import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRecord } from '../../src/core/commandLog';
import { WorkspaceError } from '../../src/core/errors';
import { requireTmux } from '../../src/core/lifecycle/context';
import { waitForEvent } from '../../src/core/events';
import { allowedEnvironment } from '../../src/core/tmux/environment';
import { SessionWatcher } from '../../src/core/tmux/SessionWatcher';
import { GONE, MARKER, TmuxClient, isGoneFailure } from '../../src/core/tmux/TmuxClient';
import { eventually } from '../helpers/poll';
import { useTmuxServer } from '../helpers/world';

const SLEEP = ['sleep', '600'];

describe('TmuxClient', () => {
  const world = useTmuxServer();

  function startOutside(name: string): Promise<string> {
    return world.fixture.tmux('new-session', '-d', '-s', name, '--', ...SLEEP);
  }

  function logged(): { records: CommandRecord[]; client: TmuxClient } {
    const records: CommandRecord[] = [];
    return { records, client: world.fixture.client({ log: (record) => records.push(record) }) };
  }

  describe('isGoneFailure', () => {
    const gone = [
      "can't find session: tw-missing",
      'no server running on /tmp/tmux-1000/tmux-workspaces',
      'error connecting to /tmp/tmux-1000/tmux-workspaces (No such file or directory)',
      'server exited unexpectedly',
    ];
    for (const stderr of gone) {
      it(`counts exit 1 with "${stderr}" as gone`, () => {
        assert.equal(isGoneFailure(1, stderr), true);
      });
      it(`counts "${stderr}" with another exit status as a real failure`, () => {
        for (const exitCode of [0, 2, 127, undefined]) assert.equal(isGoneFailure(exitCode, stderr), false, `exit ${exitCode}`);
      });
    }
    it('counts any other stderr with exit 1 as a real failure', () => {
      for (const stderr of [
        'unknown command: frobnicate',
        'invalid option: tw-bogus',
        'duplicate session: tw-x',
        'error connecting to /tmp/tmux-1000/tw (Permission denied)',
        'create window failed: fork failed: Resource temporarily unavailable',
        '',
      ]) {
        assert.equal(isGoneFailure(1, stderr), false, stderr);
      }
    });

    it('matches the words real tmux uses for a missing session, server and socket', async () => {
      const { records, client } = logged();
      await startOutside('tw-present');
      assert.equal(await client.killSession('tw-missing'), 'gone');
      await world.fixture.killServer();
      assert.deepEqual(await client.listSessions(), []);
      const noSocket = new TmuxClient({ command: ['tmux', '-S', join(world.fixture.dir, 'no-such-dir', 'socket')], environment: world.fixture.environment, log: (r) => records.push(r) });
      assert.deepEqual(await noSocket.listSessions(), []);
      const stderrs = records.map((record) => record.stderr ?? '');
      assert.match(stderrs[0], /can't find session/);
      assert.match(stderrs[1], /no server running/);
      assert.match(stderrs[2], /error connecting to .*\(No such file or directory\)/);
      for (const record of records) assert.ok(isGoneFailure(record.exitCode, record.stderr ?? ''), record.stderr);
    });
  });

  describe('gone and failed', () => {
    it('resolves gone when killing a session that is not there', async () => {
      await startOutside('tw-other');
      assert.equal(await world.fixture.client().killSession('tw-missing'), 'gone');
      assert.deepEqual(await world.liveNames(), ['tw-other']);
    });

    it('lists no sessions, and finds none, when no server runs', async () => {
      const client = world.fixture.client();
      assert.deepEqual(await client.listSessions(), []);
      assert.equal(await client.hasSession('tw-anything'), false);
      assert.equal(await client.killSession('tw-anything'), 'gone');
    });

    it('rejects a gone target as kind gone when the caller did not expect it', async () => {
      await assert.rejects(world.fixture.client().run(['kill-session', '-t', '=tw-missing']), (error: WorkspaceError) => error.kind === 'gone');
    });

    it('rejects a real failure as kind failed with tmux\'s own stderr, even where gone is expected', async () => {
      const client = world.fixture.client();
      await startOutside('tw-running');
      await assert.rejects(client.run(['frobnicate-sessions'], { goneIsEmpty: true }), (error: WorkspaceError) => {
        assert.equal(error.kind, 'failed');
        assert.match(error.message, /unknown command: frobnicate-sessions/);
        return true;
      });
      await assert.rejects(client.run(['set-option', '-g', 'tw-no-such-option', 'on'], { goneIsEmpty: true }), (error: WorkspaceError) => {
        assert.equal(error.kind, 'failed');
        assert.match(error.message, /invalid option: tw-no-such-option/);
        return true;
      });
    });

    it('resolves GONE rather than rejecting only where the caller expects it', async () => {
      assert.equal(await world.fixture.client().run(['has-session', '-t', '=tw-missing'], { goneIsEmpty: true }), GONE);
    });
  });

  describe('exact targets', () => {
    it('does not kill tw-abc when asked to kill tw-a, which does not exist', async () => {
      const client = world.fixture.client();
      await startOutside('tw-abc');
      assert.equal(await client.hasSession('tw-a'), false);
      assert.equal(await client.killSession('tw-a'), 'gone');
      assert.equal(await client.killSessionIfLaunch('tw-a', 'any-launch'), 'gone');
      assert.deepEqual(await world.liveNames(), ['tw-abc']);
      // What an inexact target would have done:
      await world.fixture.tmux('kill-session', '-t', 'tw-a');
      assert.deepEqual(await world.liveNames(), [], 'plain -t tw-a matches the prefix');
    });

    it('kills only tw-a when tw-a and tw-ab both exist', async () => {
      const client = world.fixture.client();
      await startOutside('tw-ab');
      await startOutside('tw-a');
      assert.equal(await client.killSession('tw-a'), 'killed');
      assert.deepEqual(await world.liveNames(), ['tw-ab']);
    });
  });

  describe('launch', () => {
    it('creates the session and sets every marker in exactly one tmux invocation', async () => {
      const { records, client } = logged();
      const markers = { [MARKER.owner]: 'owner-1', [MARKER.launch]: 'launch-1', [MARKER.key]: 'key-1' };
      await client.launch({ name: 'tw-one', cwd: tmpdir(), argv: SLEEP, markers });
      assert.equal(records.length, 1, records.map((r) => r.argv.join(' ')).join('\n'));
      const argv = records[0].argv;
      assert.ok(argv.includes('new-session'));
      // Three markers, and the options a user's tmux.conf must not decide: an exit is always seen,
      // an unattached session stays, and so does the server when the last client leaves.
      assert.equal(argv.filter((arg) => arg === 'set-option').length, 6);
      for (const forced of ['set-option -w -t =tw-one: remain-on-exit off', 'set-option -t =tw-one: destroy-unattached off', 'set-option -s exit-unattached off']) {
        assert.ok(argv.join(' ').includes(forced), forced);
      }
      const [session] = await client.listSessions();
      assert.deepEqual(
        { name: session.name, owner: session.owner, launchId: session.launchId, key: session.key },
        { name: 'tw-one', owner: 'owner-1', launchId: 'launch-1', key: 'key-1' },
      );
    });

    it('sets the session options it is given in that same invocation, on that session only', async () => {
      const { records, client } = logged();
      await client.launch({ name: 'tw-status', cwd: tmpdir(), argv: SLEEP, markers: {}, sessionOptions: { 'status-left': 'a ##1 ', status: 'off' } });
      assert.equal(records.length, 1);
      assert.equal(await world.fixture.tmux('show-options', '-v', '-t', '=tw-status:', 'status-left'), 'a ##1 ');
      assert.equal(await world.fixture.tmux('show-options', '-v', '-t', '=tw-status:', 'status'), 'off');
      assert.equal(await world.fixture.tmux('show-options', '-g', '-v', 'status'), 'on');
    });

    it('runs the pane command from its argv, with the working folder given', async () => {
      const client = world.fixture.client();
      await client.launch({ name: 'tw-cwd', cwd: world.fixture.dir, argv: ['/bin/sh', '-c', 'exec sleep 600', 'a b'], markers: {} });
      assert.equal((await world.fixture.tmux('display-message', '-p', '-t', '=tw-cwd:', '#{pane_current_path}')).trim(), world.fixture.dir);
    });
  });

  describe('minimum version', () => {
    it('counts a tmux older than 3.2 as unavailable, with a message naming the minimum, and refuses launches with that message', async () => {
      // A tmux 3.1 as far as -V tells; everything else would reach the real one.
      const script = join(world.fixture.dir, 'old-tmux');
      await writeFile(script, '#!/bin/sh\nif [ "$1" = -V ]; then echo "tmux 3.1c"; exit 0; fi\nexec tmux "$@"\n', { mode: 0o700 });
      const old = new TmuxClient({ command: [script, ...world.fixture.command.slice(1)], environment: world.fixture.environment });
      assert.equal(await old.available(), false);
      assert.match((await old.unsupported()) ?? '', /tmux 3\.1c is too old: Tmux Workspaces needs tmux 3\.2 or newer/);
      await assert.rejects(requireTmux(old), { kind: 'unavailable', message: /needs tmux 3\.2 or newer/ });
      assert.equal(await world.fixture.client().unsupported(), undefined, 'the installed tmux is supported');
    });
  });

  describe('environment', () => {
    it('starts the server with the allow-listed environment only: no GITHUB_TOKEN, but PATH', async () => {
      assert.ok(world.fixture.environment.GITHUB_TOKEN, 'the secret is in the environment the client is given');
      const client = world.fixture.client();
      await client.launch({ name: 'tw-env', cwd: tmpdir(), argv: SLEEP, markers: {} });
      const environment = await client.showGlobalEnvironment();
      assert.doesNotMatch(environment, /GITHUB_TOKEN/);
      assert.match(environment, /^PATH=/m);
      assert.doesNotMatch(await world.fixture.tmux('show-environment', '-g'), /GITHUB_TOKEN/);
    });

    it('allows LANG, LC_* and exact XDG names, and drops secrets and look-alikes', () => {
      const allowed = allowedEnvironment({
        PATH: '/bin',
        HOME: '/home/me',
        LANG: 'C.UTF-8',
        LC_ALL: 'C.UTF-8',
        XDG_RUNTIME_DIR: '/run/user/1',
        XDG_SESSION_TOKEN: 'secret',
        GITHUB_TOKEN: 'secret',
        AWS_SECRET_ACCESS_KEY: 'secret',
        SSH_AUTH_SOCK_SECRET: 'secret',
      });
      assert.deepEqual(Object.keys(allowed).sort(), ['HOME', 'LANG', 'LC_ALL', 'PATH', 'XDG_RUNTIME_DIR']);
    });

    it('parses sessions and markers outside a UTF-8 locale', async () => {
      const environment = Object.fromEntries(Object.entries(world.fixture.environment).filter(([name]) => name !== 'LANG' && !name.startsWith('LC_')));
      const client = new TmuxClient({ command: world.fixture.command, environment });
      await client.launch({ name: 'tw-c-locale', cwd: tmpdir(), argv: SLEEP, markers: { [MARKER.owner]: 'owner-c' } });
      await startOutside('tw-café');
      const sessions = await client.listSessions();
      assert.deepEqual(sessions.map((s) => [s.name, s.owner]).sort(), [['tw-c-locale', 'owner-c'], ['tw-café', undefined]]);
      assert.equal(await client.hasSession('tw-café'), true);
    });
  });

  it('builds the attach command as env -u TMUX <tmux> -N -u attach-session -E -t =<name>', () => {
    const client = new TmuxClient({ command: ['/opt/tmux', '-L', 'mine'] });
    assert.deepEqual(client.attachArgv('tw-x-base'), ['env', '-u', 'TMUX', '/opt/tmux', '-L', 'mine', '-N', '-u', 'attach-session', '-E', '-t', '=tw-x-base']);
  });

  describe('killSessionIfLaunch', () => {
    it('kills only while the session carries the given launch id', async () => {
      const client = world.fixture.client();
      await client.launch({ name: 'tw-owned', cwd: tmpdir(), argv: SLEEP, markers: { [MARKER.launch]: 'launch-1' } });
      assert.equal(await client.killSessionIfLaunch('tw-owned', 'launch-2'), 'not-ours');
      assert.deepEqual(await world.liveNames(), ['tw-owned'], 'another launch id leaves the session running');
      assert.equal(await client.killSessionIfLaunch('tw-owned', 'launch-1'), 'killed');
      assert.deepEqual(await world.liveNames(), []);
      assert.equal(await client.killSessionIfLaunch('tw-owned', 'launch-1'), 'gone');
    });

    it('does not kill a session that has no launch marker at all', async () => {
      await startOutside('tw-unmarked');
      assert.equal(await world.fixture.client().killSessionIfLaunch('tw-unmarked', 'launch-1'), 'not-ours');
      assert.deepEqual(await world.liveNames(), ['tw-unmarked']);
    });
  });

  describe('SessionWatcher', () => {
    async function attachedWatcher(client: TmuxClient): Promise<SessionWatcher> {
      const watcher = new SessionWatcher(client);
      watcher.ensureRunning();
      await eventually(async () => (await world.fixture.tmux('list-sessions', '-F', '#{session_name} #{session_attached}')).includes('tw-watcher 1'), 5000, 'watcher attached');
      return watcher;
    }

    it('reports a session killed from outside', async () => {
      const client = world.fixture.client();
      await client.launch({ name: 'tw-watched', cwd: tmpdir(), argv: SLEEP, markers: {} });
      const watcher = await attachedWatcher(client);
      try {
        const changed = waitForEvent(watcher.onDidChangeSessions, () => true, 5000);
        await world.fixture.tmux('kill-session', '-t', '=tw-watched');
        await changed;
      } finally {
        watcher.dispose();
      }
    });

    it('reports a session whose process ends by itself', async () => {
      const client = world.fixture.client();
      await client.launch({ name: 'tw-exits', cwd: tmpdir(), argv: ['/bin/sh', '-c', 'read line'], markers: {} });
      const watcher = await attachedWatcher(client);
      try {
        const changed = waitForEvent(watcher.onDidChangeSessions, () => true, 5000);
        await world.fixture.tmux('send-keys', '-t', '=tw-exits:', 'done', 'Enter');
        await changed;
        assert.ok(!(await world.liveNames()).includes('tw-exits'));
      } finally {
        watcher.dispose();
      }
    });
  });
});
