import { WorkspaceError } from '../../core/errors';
import type { CommandContext } from '../host';
import { resolveWorkspace, type CommandTarget } from './targets';

/** Where the muted workspaces are kept (`MuteStore`). */
export interface Mutes {
  isMuted(workspaceId: string): boolean;
  setMuted(workspaceId: string, muted: boolean): Promise<void>;
}

/** Mute Notifications / Unmute Notifications: a workspace's agents stop (or start again) telling, in every window. */
export async function setNotificationsMuted(context: CommandContext, target: CommandTarget, mutes: Mutes | undefined, muted: boolean): Promise<void> {
  if (!mutes) throw new WorkspaceError('failed', 'Muting needs the extension\'s state folder, which this window has not set up.');
  const view = await resolveWorkspace(context, target, muted ? 'Mute Notifications' : 'Unmute Notifications');
  if (!view) return;
  const { id, branch } = view.record;
  if (mutes.isMuted(id) === muted) {
    void context.host.info(`Notifications for "${branch}" are already ${muted ? 'muted' : 'on'}.`);
    return;
  }
  await mutes.setMuted(id, muted);
  void context.host.info(muted ? `Notifications muted for "${branch}".` : `Notifications on again for "${branch}".`);
}
