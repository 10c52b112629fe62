import * as assert from 'node:assert/strict';
import type { StatusLineMode } from '../../src/core/tmux/statusLine';
import { useWorld } from '../helpers/world';

const AGENT = ['/bin/sh', '-c', 'exec sleep 600'];

/** A user config that sets its own global status line, which only the `tmux` mode shows in our sessions. */
const USER_CONFIG = ['set -g status-left "user-left "', 'set -g status-left-length 20', ''].join('\n');

describe('the status line of our sessions (tmuxWorkspaces.statusLine)', () => {
  let mode: StatusLineMode = 'workspace';
  // A branch with `#`: in a tmux format `#1` would not print as itself.
  const world = useWorld({ branch: 'fix/#1-login', tmuxConfig: USER_CONFIG, overrides: { statusLine: () => mode } });

  beforeEach(() => {
    mode = 'workspace';
  });

  /** A session option as the session sees it (its own, else the global one). */
  async function option(session: string, name: string): Promise<string> {
    return (await world.fixture.tmux('-u', 'show-options', '-A', '-v', '-t', `=${session}:`, name)).trim();
  }

  /** status-left as tmux prints it on the line. */
  async function shownLeft(session: string): Promise<string> {
    return world.fixture.tmux('-u', 'display-message', '-p', '-t', `=${session}:`, '#{T:status-left}');
  }

  it('says which workspace and session this is, whole and with a literal #, in every session', async () => {
    const ws = await world.readyWorkspace();
    const agent = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'agent', command: AGENT });
    const shell = await world.lifecycle.launchSession(ws.id, { kind: 'shell' });
    for (const [session, label] of [[ws.baseSession, 'terminal'], [agent.tmuxName, 'agent'], [shell.tmuxName, 'shell']]) {
      const expected = `fix/#1-login · ${label} `;
      assert.equal(await shownLeft(session), expected, session);
      assert.ok(Number(await option(session, 'status-left-length')) >= [...expected].length, `${session}: nothing cut off`);
    }
  });

  it('leaves the user\'s global options alone', async () => {
    await world.readyWorkspace();
    assert.equal(await world.fixture.tmux('show-options', '-g', '-v', 'status-left'), 'user-left ');
    assert.equal((await world.fixture.tmux('show-options', '-g', '-v', 'status-left-length')).trim(), '20');
  });

  it('turns the status line off in our sessions with "off"', async () => {
    mode = 'off';
    const ws = await world.readyWorkspace();
    assert.equal(await option(ws.baseSession, 'status'), 'off');
    assert.equal((await world.fixture.tmux('show-options', '-g', '-v', 'status')).trim(), 'on');
  });

  it('sets nothing with "tmux": the user\'s config decides', async () => {
    mode = 'tmux';
    const ws = await world.readyWorkspace();
    // No status option of the session's own: show-options without -A prints only those.
    assert.doesNotMatch(await world.fixture.tmux('show-options', '-t', `=${ws.baseSession}:`), /^status/m);
    assert.equal(await shownLeft(ws.baseSession), 'user-left ');
  });
});
