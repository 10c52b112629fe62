import * as assert from 'node:assert/strict';
import { eventually } from '../helpers/poll';
import { RecordingLog, ScriptedHost, plainSettings } from '../helpers/scriptedHost';
import { useWorld } from '../helpers/world';
import { RESTORE_ACTION, describePlan, offerRestore, restoreSummary, showPreviousOutput } from '../../src/ui/commands/comebackCommands';
import type { RuntimeLifecycle } from '../../src/core/lifecycle/RuntimeLifecycle';
import type { CommandContext } from '../../src/ui/host';
import type { WorkspaceRecord } from '../../src/core/store/records';
import { stoppedNode } from '../../src/ui/tree/stoppedNodes';
import { join } from 'node:path';
import { FileLock } from '../../src/core/lifecycle/TransitionLock';
import { NotificationClaims } from '../../src/core/notify/NotificationClaims';
import { useTempDir } from '../helpers/tempDir';

/** Restore Sessions and Show Previous Output as the user meets them: at activation, per `restoreOnStartup`, and from rows. */
describe('comeback commands', () => {
  const world = useWorld({ branch: 'come-back', overrides: { scrollbackSaveMs: 0 } });
  const sharedDir = useTempDir('restore-offer-');

  function context(host: ScriptedHost, lifecycle: RuntimeLifecycle): CommandContext {
    const settings = plainSettings();
    return { lifecycle, host, log: new RecordingLog(), settings, repositories: { repositories: async () => [world.repo.repo] }, environment: {} };
  }

  /** A workspace with a shell that printed `said`, saved; then the tmux server dies and a window starts. */
  async function afterReboot(said: string): Promise<{ ws: WorkspaceRecord; shellKey: string; window: RuntimeLifecycle }> {
    const ws = await world.readyWorkspace();
    const shell = await world.lifecycle.launchSession(ws.id, { kind: 'shell' });
    const [head, tail] = said.split('-');
    await world.fixture.tmux('send-keys', '-t', `=${shell.tmuxName}:`, `printf '%s-%s\\n' ${head} ${tail}`, 'Enter');
    await eventually(async () => (await world.fixture.tmux('capture-pane', '-p', '-t', `=${shell.tmuxName}:`)).split('\n').some((line) => line.trim().endsWith(said)), 5000, 'shell printed');
    await world.lifecycle.comeback.saveChanged();
    world.lifecycle.dispose();
    await world.fixture.killServer();
    return { ws, shellKey: shell.key, window: await world.harness.reload() };
  }

  it('asks by default, and restores when the user clicks Restore Sessions', async () => {
    const { ws, window } = await afterReboot('asked-first');
    const host = new ScriptedHost();
    host.clickAction = RESTORE_ACTION;
    const outcome = await offerRestore(context(host, window), 'ask');
    assert.deepEqual(host.shown[0], { kind: 'info', message: 'tmux stopped (a restart or kill-server): 1 terminal, 1 shell can come back.', actions: [RESTORE_ACTION] });
    assert.deepEqual(outcome?.bases.map((record) => record.id), [ws.id]);
    assert.deepEqual(outcome?.sessions.map((session) => session.kind), ['shell']);
    assert.equal(host.shown.at(-1)?.message, 'Restored 1 terminal and 1 session.');
    assert.ok((await world.liveNames()).includes(ws.baseSession));
  });

  it('leaves everything as it is when the offer is dismissed, or with never', async () => {
    const { ws, window } = await afterReboot('left-alone');
    const dismissed = new ScriptedHost();
    assert.equal(await offerRestore(context(dismissed, window), 'ask'), undefined);
    const never = new ScriptedHost();
    assert.equal(await offerRestore(context(never, window), 'never'), undefined);
    assert.deepEqual(never.shown, [], 'never asks nothing');
    assert.ok(!(await world.liveNames()).includes(ws.baseSession), 'nothing was started');
    assert.equal((await window.comeback.plan()).stopped.length, 1, 'the shell is still there to restore');
  });

  it('offers Restore Sessions in one window of those that start together, the others keeping their rows', async () => {
    const { window } = await afterReboot('offered-once');
    const dir = sharedDir();
    const claims = () => new NotificationClaims(join(dir, 'claims'), new FileLock(join(dir, 'locks')), { toleranceMs: 5 * 60_000 });
    // Each window has its own claims object and lock instance over the shared folder, as separate extension hosts do.
    const [first, second] = [claims(), claims()];
    const hosts = [new ScriptedHost(), new ScriptedHost()];
    const offered = await Promise.all([
      offerRestore(context(hosts[0], window), 'ask', () => first.claim('restore-offer', 'ask', Date.now())),
      offerRestore(context(hosts[1], window), 'ask', () => second.claim('restore-offer', 'ask', Date.now())),
    ]);
    assert.deepEqual(offered, [undefined, undefined], 'nobody clicked');
    assert.equal(hosts.flatMap((host) => host.shown).length, 1, 'one window offers it');
    assert.equal((await window.comeback.plan()).stopped.length, 1, 'the shell still waits to be restored from its row');
  });

  it('restores at once with always, and offers nothing while tmux still runs our sessions', async () => {
    const { ws, window } = await afterReboot('always-back');
    const host = new ScriptedHost();
    const outcome = await offerRestore(context(host, window), 'always');
    assert.deepEqual([outcome?.bases.length, outcome?.sessions.length], [1, 1]);
    assert.deepEqual(host.shown.map((shown) => shown.message), ['Restored 1 terminal and 1 session.']);
    const again = new ScriptedHost();
    assert.equal(await offerRestore(context(again, window), 'always'), undefined, 'the server runs: nothing to offer');
    assert.deepEqual(again.shown, []);
    assert.ok((await world.liveNames()).includes(ws.baseSession));
  });

  it('shows a stopped shell\'s previous output read-only from its row, and a workspace\'s from a pick', async () => {
    const { ws, shellKey, window } = await afterReboot('shown-later');
    const host = new ScriptedHost();
    const row = stoppedNode(window.resumable(shellKey)!, Date.now());
    assert.equal(row.contextValue, 'session+shell+stopped+restorable');
    await showPreviousOutput(context(host, window), row);
    assert.match(host.texts[0].title, /^shell — output saved /);
    assert.match(host.texts[0].text, /shown-later/);

    await window.comeback.restore({ workspaceId: ws.id });
    await window.comeback.saveChanged();
    const picker = new ScriptedHost(['terminal']);
    await showPreviousOutput(context(picker, window), ws.id);
    assert.equal(picker.texts.length, 1);
    assert.match(picker.texts[0].title, /^terminal — output saved /);
  });

  it('says which agents could not be resumed, and why, and offers nothing when only such agents are left', () => {
    const record = { v: 1, key: 'tw-x', workspaceId: 'w', kind: 'agent' as const, label: 'Codex', startedAt: 1, stoppedAt: 2 };
    assert.equal(describePlan({ serverGone: true, bases: [], stopped: [record] }), '');
    assert.equal(describePlan({ serverGone: true, bases: [], stopped: [record, { ...record, key: 'tw-y', conversationId: 'c', resumeArgv: ['codex', 'resume', '{id}'] }] }), '1 agent');
    const summary = restoreSummary({ busy: false, bases: [], sessions: [], notResumable: [{ record, why: 'it has no resume command' }], failures: [] });
    assert.deepEqual(summary, { message: 'Nothing was left to restore. Codex is not resumable: it has no resume command.', level: 'warn' });
  });
});
