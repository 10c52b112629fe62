import * as assert from 'node:assert/strict';
import { WorkspaceError } from '../../src/core/errors';
import { TmuxClient, type LiveSession } from '../../src/core/tmux/TmuxClient';
import { eventually } from '../helpers/poll';
import { RecordingLog } from '../helpers/recordingLog';
import { useWorld } from '../helpers/world';

const AGENT = ['/bin/sh', '-c', 'exec sleep 600'];

/** A real tmux client whose list-sessions, once armed, fails as a broken server's would. */
class ArmedListing extends TmuxClient {
  armed = false;

  override async listSessions(): Promise<LiveSession[]> {
    if (this.armed) throw new WorkspaceError('failed', 'tmux list-sessions failed: injected failure');
    return super.listSessions();
  }
}

describe('RuntimeLifecycle log', () => {
  const world = useWorld();

  it('logs a failing safety-net reconcile as a warning instead of dropping it', async () => {
    const ws = await world.readyWorkspace();
    // A recorded session, so the reconcile has exits to check and lists sessions.
    await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
    const tmux = new ArmedListing({ command: world.fixture.command, environment: world.fixture.environment });
    const log = new RecordingLog();
    const watched = await world.harness.lifecycle({ tmuxClient: tmux, safetyNetMs: 20, log });
    await watched.start();
    tmux.armed = true;
    const line = await eventually(() => log.find('warn', 'safety-net reconcile failed'), 5000, 'the failure in the log');
    assert.match(line, /injected failure/);
    assert.match(line, /^\[RuntimeLifecycle\] /, 'the line says which component wrote it');
  });
});
