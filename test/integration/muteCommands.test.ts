import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { MuteStore } from '../../src/core/notify/MuteStore';
import { commandEntries, runCommand } from '../../src/ui/commands/registry';
import type { CommandContext } from '../../src/ui/host';
import { CommandId } from '../../src/ui/ids';
import { workspaceNode } from '../../src/ui/tree/nodes';
import { RecordingLog, ScriptedHost, plainSettings } from '../helpers/scriptedHost';
import { useTempDir } from '../helpers/tempDir';
import { useWorld } from '../helpers/world';

const settings = plainSettings();

describe('Mute Notifications and Unmute Notifications, against the real lifecycle', () => {
  const world = useWorld({ branch: 'feat/mute' });
  const tempDir = useTempDir('tw-mute-');

  it('mute a workspace from its row and unmute it again; its row says so in between, and muting twice says it already is', async () => {
    const ws = await world.readyWorkspace();
    const mutes = new MuteStore(join(tempDir(), 'muted'));
    await mutes.start();
    const host = new ScriptedHost();
    const context: CommandContext = { lifecycle: world.lifecycle, host, log: new RecordingLog(), settings, repositories: { repositories: async () => [world.repo.repo] }, environment: process.env };
    const entries = commandEntries({ refresh: async () => undefined, revealWorkspace: async () => undefined, mutes });
    const run = (id: CommandId) => runCommand(entries.find((entry) => entry.id === id)!, context, ws.id);
    const row = async () => {
      const view = (await world.lifecycle.listWorkspaces()).find((candidate) => candidate.record.id === ws.id)!;
      return workspaceNode(view, { stats: new Map(), tmuxAvailable: true, now: Date.now(), muted: mutes.workspaces });
    };

    await run(CommandId.muteNotifications);
    assert.equal(mutes.isMuted(ws.id), true);
    assert.match((await row()).contextValue, /\+muted\b/);
    assert.match((await row()).description ?? '', /🔕/);
    await run(CommandId.muteNotifications);
    await run(CommandId.unmuteNotifications);
    assert.equal(mutes.isMuted(ws.id), false);
    assert.doesNotMatch((await row()).contextValue, /muted/);
    assert.deepEqual(
      host.shown.map((shown) => shown.message),
      [`Notifications muted for "feat/mute".`, `Notifications for "feat/mute" are already muted.`, `Notifications on again for "feat/mute".`],
    );
    mutes.dispose();
  });
});
