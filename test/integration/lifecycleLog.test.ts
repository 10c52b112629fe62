import * as assert from 'node:assert/strict';
import { WorkspaceError } from '../../src/core/errors';
import { RecordStore } from '../../src/core/store/RecordStore';
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

  it('logs a transition it marks interrupted (the row the user sees) as a warning naming the workspace', async () => {
    const ws = await world.readyWorkspace();
    await new RecordStore(world.harness.memento).update(ws.id, { status: 'creating' });
    const log = new RecordingLog();
    const fresh = await world.harness.reload({ log });
    assert.equal(fresh.workspace(ws.id)?.status, 'error');
    const line = log.find('warn', `workspace "${ws.branch}"`);
    assert.match(line ?? '', /setup was interrupted/, log.lines.map((l) => `${l.level} ${l.message}`).join('\n'));
  });
});
