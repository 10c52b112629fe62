import * as assert from 'node:assert/strict';
import { WorkspaceError, failed, refused } from '../../src/core/errors';
import { ActionFailure, Cancelled, reportFailure } from '../../src/ui/commands/failures';
import { RecordingLog, ScriptedHost } from '../helpers/scriptedHost';

async function report(error: unknown, clickAction?: string) {
  const host = new ScriptedHost();
  host.clickAction = clickAction;
  const log = new RecordingLog();
  await reportFailure({ host, log }, 'Launch Shell', error);
  return { host, log };
}

describe('how a failed command is shown', () => {
  it('shows a refusal or something gone as a warning, logged at warn', async () => {
    for (const error of [refused('the workspace is being deleted'), new WorkspaceError('gone', 'That session has ended.')]) {
      const { host, log } = await report(error);
      assert.deepEqual(host.shown, [{ kind: 'warn', message: `Launch Shell: ${error.message}` }]);
      assert.deepEqual(log.shown(), [{ level: 'warn', message: `[Launch Shell] Launch Shell: ${error.message}` }]);
    }
  });

  it('shows a real failure or any other thrown error as an error with Show Log, logged at error', async () => {
    for (const error of [failed('tmux new-session: server exited unexpectedly'), new TypeError('x is undefined')]) {
      const { host, log } = await report(error, 'Show Log');
      assert.deepEqual(host.shown, [{ kind: 'error', message: `Launch Shell: ${error.message}`, actions: ['Show Log'] }]);
      assert.equal(host.logShown, 1);
      assert.deepEqual(log.shown(), [{ level: 'error', message: `[Launch Shell] Launch Shell: ${error.message}` }]);
    }
  });

  it('offers a missing tool\'s install page, and none for an unavailable feature', async () => {
    const { host } = await report(new WorkspaceError('unavailable', 'git is not installed or not on PATH.'), 'How to Install');
    assert.deepEqual(host.shown[0], { kind: 'warn', message: 'Launch Shell: git is not installed or not on PATH.', actions: ['How to Install'] });
    assert.deepEqual(host.opened, ['https://git-scm.com/downloads']);
    const other = await report(new WorkspaceError('unavailable', 'Install Agent Hooks is not available here.'));
    assert.deepEqual(other.host.shown, [{ kind: 'warn', message: 'Launch Shell: Install Agent Hooks is not available here.' }]);
  });

  it('shows nothing for a cancellation, and logs it only at debug', async () => {
    const { host, log } = await report(new Cancelled());
    assert.deepEqual(host.shown, []);
    assert.deepEqual(log.shown(), []);
    assert.equal(log.lines[0].level, 'debug');
  });

  it('names the action and workspace, and reports a remedy that fails in turn', async () => {
    let ran = 0;
    const remedy = { label: 'Retry Setup', run: async () => { ran += 1; throw failed('setup command exited with 1'); } };
    const { host, log } = await report(new ActionFailure('Workspace "feature/x"', failed('setup: exit 1'), 'feature/x', [remedy]), 'Retry Setup');
    assert.equal(ran, 1);
    assert.deepEqual(host.shown.map((shown) => [shown.kind, shown.message, shown.actions]), [
      ['error', 'Workspace "feature/x": setup: exit 1', ['Retry Setup', 'Show Log']],
      ['error', 'Launch Shell: setup command exited with 1', ['Show Log']],
    ]);
    assert.equal(log.shown()[0].message, '[Launch Shell] [workspace feature/x] Workspace "feature/x": setup: exit 1');
  });
});
