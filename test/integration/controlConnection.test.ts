import * as assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import type { CommandRecord } from '../../src/core/commandLog';
import { SessionWatcher } from '../../src/core/tmux/SessionWatcher';
import { MARKER, type TmuxClient } from '../../src/core/tmux/TmuxClient';
import { DyingConnection } from '../helpers/dyingConnection';
import { eventually } from '../helpers/poll';
import { useTmuxServer } from '../helpers/world';

const SLEEP = ['sleep', '600'];

/** Values tmux's command language would read as something else if they were not quoted. */
const HOSTILE = [
  `it's`, `"double"`, '$HOME', '${HOME}', '~', '~/x', '#{session_name}', '#x', 'a;', ';b', 'a ; b', '\\;', '{', '}', '{ a }',
  'back\\slash', 'trailing\\', '  spaced  ', 'tab\there', 'unicode é ✓ 漢字', '', '%begin 1 2 1', "'", '\\',
];

describe('ControlConnection', () => {
  const world = useTmuxServer();
  const watchers: SessionWatcher[] = [];

  afterEach(() => {
    for (const watcher of watchers.splice(0)) watcher.dispose();
  });

  function logged(): { records: CommandRecord[]; client: TmuxClient } {
    const records: CommandRecord[] = [];
    return { records, client: world.fixture.client({ log: (record) => records.push(record) }) };
  }

  /** A client whose watcher's connection is up, with a session of ours to talk about. */
  async function connected(): Promise<{ records: CommandRecord[]; client: TmuxClient; watcher: SessionWatcher }> {
    const { records, client } = logged();
    await client.launch({ name: 'tw-subject', cwd: tmpdir(), argv: SLEEP, markers: { [MARKER.launch]: 'launch-0' } });
    const watcher = new SessionWatcher(client);
    watchers.push(watcher);
    watcher.ensureRunning();
    await eventually(() => watcher.current?.ready, 5000, 'control connection ready');
    // Once attached, the watcher asks the server's pid over the connection; that answer is not the test's to count.
    await eventually(() => records.some((record) => record.argv.includes('#{pid}') && record.exitCode !== undefined), 5000, "the server's pid learned");
    records.length = 0;
    return { records, client, watcher };
  }

  const spawned = (records: readonly CommandRecord[]) => records.filter((record) => record.via === undefined);
  const overConnection = (records: readonly CommandRecord[]) => records.filter((record) => record.via === 'connection');

  async function readBack(option: string): Promise<string> {
    const value = await world.fixture.tmux('-u', 'show-options', '-v', '-t', '=tw-subject:', option);
    return value;
  }

  describe('quoting', () => {
    it('sets hostile values over the connection exactly as given, as a process reads them back', async () => {
      const { records, client } = await connected();
      const markers = Object.fromEntries(HOSTILE.map((value, index) => [`@tw_q${index}`, value]));
      await client.setMarkers('tw-subject', markers);
      assert.equal(spawned(records).length, 0, 'no process was spawned');
      for (const [option, value] of Object.entries(markers)) assert.equal(await readBack(option), value, option);
    });

    it('sets hostile values as a process exactly as given, a value ending in ; included', async () => {
      const { records, client } = logged();
      await client.launch({ name: 'tw-subject', cwd: tmpdir(), argv: SLEEP, markers: {} });
      const markers = Object.fromEntries(HOSTILE.map((value, index) => [`@tw_q${index}`, value]));
      await client.setMarkers('tw-subject', markers);
      assert.equal(overConnection(records).length, 0);
      for (const [option, value] of Object.entries(markers)) assert.equal(await readBack(option), value, option);
    });

    it('sends a value with a newline as a process, unmangled', async () => {
      const { records, client } = await connected();
      await client.setMarkers('tw-subject', { '@tw_lines': 'one\ntwo' });
      assert.equal(spawned(records).length, 1);
      const value = await world.fixture.tmux('-u', 'show-options', '-v', '-t', '=tw-subject:', '@tw_lines');
      assert.equal(value, 'one\ntwo');
    });

    it('refuses a value with a NUL and sets nothing', async () => {
      const { client } = await connected();
      await assert.rejects(client.setMarkers('tw-subject', { '@tw_nul': 'a\0b' }));
      assert.equal(await readBack('@tw_nul'), '');
    });
  });

  describe('answers', () => {
    it('answers over the connection what a process answers: listing, gone, failure', async () => {
      const { records, client } = await connected();
      const viaConnection = await client.listSessions();
      const gone = await client.killSession('tw-missing');
      const failure = await client.run(['frobnicate']).catch((error: unknown) => error);
      const has = await client.hasSession('tw-subject');
      assert.equal(spawned(records).length, 0, 'no process was spawned');
      assert.equal(overConnection(records).length, 4);
      const plain = logged().client;
      assert.deepEqual(viaConnection, await plain.listSessions());
      assert.equal(gone, await plain.killSession('tw-missing'));
      const processFailure = await plain.run(['frobnicate']).catch((error: unknown) => error);
      assert.equal(String(failure), String(processFailure));
      assert.equal(has, true);
    });

    it('keeps a command list to its first failure, as a process does', async () => {
      const { client } = await connected();
      await assert.rejects(client.run(['has-session', '-t', '=tw-missing', ';', 'set-option', '-t', '=tw-subject:', '@tw_after', '1']), { kind: 'gone' });
      assert.equal(await readBack('@tw_after'), '');
      assert.deepEqual(await client.run(['display-message', '-p', 'still answering']), 'still answering\n');
    });

    it('counts mutations over the connection as it does for processes', async () => {
      const { client } = await connected();
      const before = client.mutations;
      await client.listSessions();
      assert.equal(client.mutations, before);
      await client.setMarkers('tw-subject', { '@tw_m': '1' });
      assert.equal(client.mutations, before + 1);
    });

    it('launches in one round trip over the connection, markers and options in the same line', async () => {
      const { records, client } = await connected();
      await client.launch({ name: 'tw-over', cwd: tmpdir(), argv: SLEEP, markers: { [MARKER.launch]: 'launch-1' }, sessionOptions: { '@tw_label': "it's #1" } });
      assert.equal(spawned(records).length, 0);
      assert.equal(overConnection(records).length, 1);
      const [session] = (await logged().client.listSessions()).filter((live) => live.name === 'tw-over');
      assert.equal(session.launchId, 'launch-1');
      assert.equal(await world.fixture.tmux('-u', 'show-options', '-v', '-t', '=tw-over:', '@tw_label'), "it's #1");
    });
  });

  describe('fallback', () => {
    it('runs every command as a process while no connection is up', async () => {
      const { records, client } = logged();
      await client.launch({ name: 'tw-subject', cwd: tmpdir(), argv: SLEEP, markers: {} });
      await client.listSessions();
      assert.equal(overConnection(records).length, 0);
      assert.equal(spawned(records).length, 2);
    });

    it('pastes as a process, never over the connection', async () => {
      const { records, client } = await connected();
      await client.paste('tw-subject', 'text', 'tw-buffer');
      assert.equal(overConnection(records).length, 0);
    });

    for (const when of ['before', 'after'] as const) {
      it(`answers a read once its client is SIGKILLed ${when} tmux ran it, through a process`, async () => {
        const { records, client, watcher } = await connected();
        client.useConnection(new DyingConnection(watcher.current!, when));
        const sessions = await client.listSessions();
        assert.deepEqual(sessions.map((session) => session.name).filter((name) => name === 'tw-subject'), ['tw-subject']);
        assert.equal(spawned(records).length, 1);
      });

      it(`kills a session exactly once when its client is SIGKILLed ${when} tmux ran the kill`, async () => {
        const { client, watcher } = await connected();
        client.useConnection(new DyingConnection(watcher.current!, when));
        assert.ok(['killed', 'gone'].includes(await client.killSession('tw-subject')));
        assert.ok(!(await world.liveNames()).includes('tw-subject'));
      });

      it(`launches exactly once, marked, when its client is SIGKILLed ${when} tmux ran the launch`, async () => {
        const { client, watcher } = await connected();
        client.useConnection(new DyingConnection(watcher.current!, when));
        await client.launch({ name: 'tw-lost', cwd: tmpdir(), argv: SLEEP, markers: { [MARKER.launch]: 'launch-2' }, sessionOptions: { '@tw_label': 'lost' } });
        const sessions = (await logged().client.listSessions()).filter((session) => session.name === 'tw-lost');
        assert.equal(sessions.length, 1);
        assert.equal(sessions[0].launchId, 'launch-2');
        assert.equal(await world.fixture.tmux('show-options', '-v', '-t', '=tw-lost:', '@tw_label'), 'lost');
      });
    }

    it('does not run again a command that may have run and is not safe to repeat', async () => {
      const { client, watcher } = await connected();
      client.useConnection(new DyingConnection(watcher.current!, 'after'));
      await assert.rejects(client.sendEnter('tw-subject'), /may have run/);
    });

    it('reconnects after its client is killed while the server runs, and sends over the new connection', async () => {
      const { records, client, watcher } = await connected();
      const first = watcher.current!;
      process.kill(first.pid!, 'SIGKILL');
      await first.exited;
      await eventually(() => watcher.current?.ready && watcher.current !== first, 5000, 'reconnected');
      records.length = 0;
      await client.listSessions();
      assert.equal(spawned(records).length, 0);
    });

    it('stays down once the server is gone, and lists as a process', async () => {
      const { records, client, watcher } = await connected();
      const first = watcher.current!;
      await world.fixture.killServer();
      await first.exited;
      assert.deepEqual(await client.listSessions(), []);
      assert.equal(watcher.current, undefined);
      assert.ok(spawned(records).length >= 1);
    });
  });
});
