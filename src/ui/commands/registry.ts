import type { Logger } from '../../core/log';
import type { CommandContext, UiHost } from '../host';
import { CommandId } from '../ids';
import { archiveWorkspace, deleteArchived, restoreWorkspace } from './archiveCommands';
import { openAllChanges, openChange } from './changeCommands';
import { createWorkspace } from './createWorkspace';
import { deleteWorkspace } from './deleteWorkspace';
import { showDiskUsage } from './diskUsage';
import { reportFailure } from './failures';
import { installAgentHooks } from './installAgentHooks';
import { commitAll, createPullRequest, mergeIntoBase, push, updateFromBase } from './landCommands';
import { launchAgent, launchAgentIn, launchShell } from './launchSession';
import { setNotificationsMuted, type Mutes } from './muteCommands';
import { adoptOrphan, attachOrphan, killOrphan } from './orphanCommands';
import { cancelQueuedMessages, sendMessageToAgent, sendSelectionToAgent } from './messageCommands';
import { copyPrompt, sendPromptAgain } from './promptCommands';
import { dismissResumable, resumeAgent } from './resumeCommands';
import { restoreSessions, showPreviousOutput } from './comebackCommands';
import { attach, copyAttachCommand, stopSession } from './sessionCommands';
import type { CommandTarget } from './targets';
import { openWorkspaceFolder, retrySetup, showSetupLog } from './workspaceCommands';

/** One contributed command: its id, the title failures are reported under, and its handler (which just throws). */
export interface CommandEntry {
  readonly id: CommandId;
  readonly title: string;
  readonly run: (context: CommandContext, target: CommandTarget) => unknown;
}

/** What a few commands need beyond the command context: the tree and the view. */
export interface CommandExtras {
  /** Reconciles, then re-reads the tree. */
  readonly refresh: () => Promise<void>;
  readonly revealWorkspace: (workspaceId: string) => Promise<void>;
  /** The muted workspaces, shared by every window; absent, the mute commands say they cannot. */
  readonly mutes?: Mutes;
}

/** Every command the extension contributes; package.json's `contributes.commands` lists exactly these ids. */
export function commandEntries(extras: CommandExtras): readonly CommandEntry[] {
  const entry = (id: CommandId, title: string, run: CommandEntry['run']): CommandEntry => ({ id, title, run });
  return [
    entry(CommandId.createWorkspace, 'Create Workspace', (context) => createWorkspace(context, { attach: context.settings.attachOnLaunch() })),
    entry(CommandId.createWorkspaceAndLaunchAgent, 'Create Workspace and Launch Agent', async (context) => {
      const record = await createWorkspace(context, { attach: false });
      if (record.status === 'ready') await launchAgentIn(context, record.id);
    }),
    entry(CommandId.retrySetup, 'Retry Setup', retrySetup),
    entry(CommandId.deleteWorkspace, 'Delete Workspace', (context, target) => deleteWorkspace(context, target)),
    entry(CommandId.retryDelete, 'Retry Delete', (context, target) => deleteWorkspace(context, target, ['deletion_failed'])),
    entry(CommandId.archiveWorkspace, 'Archive Workspace', archiveWorkspace),
    entry(CommandId.restoreWorkspace, 'Restore Workspace', restoreWorkspace),
    entry(CommandId.deleteArchived, 'Delete Archived Workspace', deleteArchived),
    entry(CommandId.launchAgent, 'Launch Agent', launchAgent),
    entry(CommandId.launchShell, 'Launch Shell', launchShell),
    entry(CommandId.attach, 'Attach', (context, target) => (typeof target === 'object' && target.kind === 'orphan' ? attachOrphan(context, target) : attach(context, target))),
    entry(CommandId.stopSession, 'Stop Session', stopSession),
    entry(CommandId.resumeAgent, 'Resume Agent', resumeAgent),
    entry(CommandId.dismissResumable, 'Dismiss Stopped Session', dismissResumable),
    entry(CommandId.restoreSessions, 'Restore Sessions', restoreSessions),
    entry(CommandId.showPreviousOutput, 'Show Previous Output', showPreviousOutput),
    entry(CommandId.copyAttachCommand, 'Copy Attach Command', copyAttachCommand),
    entry(CommandId.sendPromptAgain, 'Send First Prompt Again', sendPromptAgain),
    entry(CommandId.copyPrompt, 'Copy First Prompt', copyPrompt),
    entry(CommandId.openChange, 'Open Change', openChange),
    entry(CommandId.sendToAgent, 'Send to Agent', sendSelectionToAgent),
    entry(CommandId.sendMessage, 'Send Message to Agent', sendMessageToAgent),
    entry(CommandId.cancelQueued, 'Cancel Queued Messages', cancelQueuedMessages),
    entry(CommandId.openAllChanges, 'Open All Changes', openAllChanges),
    entry(CommandId.commitAll, 'Commit All', commitAll),
    entry(CommandId.push, 'Push', push),
    entry(CommandId.mergeIntoBase, 'Merge into Base', mergeIntoBase),
    entry(CommandId.updateFromBase, 'Update from Base', updateFromBase),
    entry(CommandId.createPullRequest, 'Create Pull Request', createPullRequest),
    entry(CommandId.openWorkspaceFolder, 'Open Workspace Folder in New Window', openWorkspaceFolder),
    entry(CommandId.showSetupLog, 'Show Setup Log', showSetupLog),
    entry(CommandId.installAgentHooks, 'Install Agent Hooks', installAgentHooks),
    entry(CommandId.refresh, 'Refresh', () => extras.refresh()),
    entry(CommandId.showLog, 'Show Log', (context) => context.host.showLog()),
    entry(CommandId.revealWorkspace, 'Reveal Workspace', (_context, target) => (typeof target === 'string' ? extras.revealWorkspace(target) : undefined)),
    entry(CommandId.killOrphan, 'Kill Orphaned Session', killOrphan),
    entry(CommandId.adoptOrphan, 'Adopt into Workspace', adoptOrphan),
    entry(CommandId.showDiskUsage, 'Show Disk Usage', showDiskUsage),
    entry(CommandId.muteNotifications, 'Mute Notifications', (context, target) => setNotificationsMuted(context, target, extras.mutes, true)),
    entry(CommandId.unmuteNotifications, 'Unmute Notifications', (context, target) => setNotificationsMuted(context, target, extras.mutes, false)),
  ];
}

/**
 * The one guard every command runs under: the handler just throws, and the
 * failure is logged with its context and shown the way its kind deserves
 * (see `reportFailure`); a cancellation shows nothing. Warnings and errors
 * a handler shows itself reach the log too, tagged with the command.
 * Resolves to the handler's result (`executeCommand` gives it to callers such
 * as the in-editor tests), or undefined when it failed or was cancelled.
 */
export async function runCommand(entry: CommandEntry, context: CommandContext, target: CommandTarget): Promise<unknown> {
  const log = context.log;
  log.debug(`[${entry.title}] run${typeof target === 'string' ? ` on ${target}` : target ? ` on ${target.id}` : ''}`);
  try {
    return await entry.run({ ...context, host: loggingHost(context.host, log, entry.title) }, target);
  } catch (error) {
    await reportFailure({ host: context.host, log }, entry.title, error);
    return undefined;
  }
}

/** `host`, except that every warning and error it shows is written to the log first. */
export function loggingHost(host: UiHost, log: Logger, command: string): UiHost {
  // The rest of the host is inherited, so its own state (a test's answers) is shared.
  const logged: UiHost = Object.create(host);
  logged.warn = (message, ...actions) => {
    log.warn(`[${command}] ${message}`);
    return host.warn(message, ...actions);
  };
  logged.error = (message, ...actions) => {
    log.error(`[${command}] ${message}`);
    return host.error(message, ...actions);
  };
  return logged;
}
