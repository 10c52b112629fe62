import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PaneLauncher } from '../../src/core/tmux/PaneLauncher';
import { TmuxClient } from '../../src/core/tmux/TmuxClient';
import { eventually } from '../helpers/poll';
import { useTmuxServer } from '../helpers/world';

const SECRET = 'ghp_tainted_server_secret';

describe('what a tmux server started elsewhere cannot pass on', () => {
  const world = useTmuxServer();
  let stateDir: string;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'tw-state-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  /** Runs a command (tmux on the fixture's server) with a secret in its environment, as a user's shell would. */
  function runWithSecret(argv: readonly string[]) {
    return execa(argv[0], argv.slice(1), {
      env: { PATH: process.env.PATH ?? '', HOME: stateDir, TMUX_TMPDIR: world.fixture.dir, GITHUB_TOKEN: SECRET },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
  }

  it('never starts a server from the attach command, even when the user config would keep it alive', async () => {
    const config = join(stateDir, 'tmux.conf');
    await writeFile(config, 'new-session -d -s kept-alive\n');
    const command = [...world.fixture.command.filter((arg) => arg !== '-f' && arg !== '/dev/null'), '-f', config];
    const argv = new TmuxClient({ command }).attachArgv('tw-gone-base');
    const attached = await runWithSecret(argv);
    assert.notEqual(attached.exitCode, 0);
    assert.deepEqual(await world.liveNames(), [], 'no server (and no kept-alive session) was started');
  });

  it('starts a pane from the allow-list and its handoff, not from the environment of a tainted server', async () => {
    await runWithSecret([...world.fixture.command, 'new-session', '-d', '-s', 'user-started', '--', 'sleep', '600']);
    await world.fixture.tmux('set-environment', '-g', 'SET_BY_USER_TOKEN', SECRET);
    const panes = new PaneLauncher(stateDir, 'tmux', { environment: { PATH: process.env.PATH ?? '', HOME: stateDir, LANG: 'C.UTF-8' } });
    const dump = join(stateDir, 'env.txt');
    const pane = await panes.prepare('launch-1', ['/bin/sh', '-c', 'env > "$1.tmp" && mv "$1.tmp" "$1"', 'sh', dump], { HANDED_OVER: 'yes' });
    await world.fixture.client().launch({ name: 'tw-env-check', cwd: stateDir, argv: pane.argv, markers: {} });
    const environment = await eventually(async () => readFile(dump, 'utf8').catch(() => undefined), 5000, 'pane wrote its environment');
    assert.doesNotMatch(environment, new RegExp(SECRET), 'a secret of the server reached the pane');
    assert.match(environment, /^HANDED_OVER=yes$/m);
    assert.match(environment, new RegExp(`^HOME=${stateDir}$`, 'm'), 'the allow-list comes from our side');
    assert.match(environment, /^TMUX=/m, 'tmux\'s own variables stay');
    assert.match(environment, /^TERM=(screen|tmux)/m, 'the pane keeps the terminal type tmux gives it');
  });
});
