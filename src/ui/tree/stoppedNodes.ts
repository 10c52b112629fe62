import type { ResumableRecord } from '../../core/store/records';
import { localTime } from '../../core/time';
import { ago } from '../words';
import type { ResumableNode } from './nodes';

/**
 * A session found gone with the tmux server (a reboot, `kill-server`): an
 * agent to resume, a shell to restore, or an agent that cannot be resumed,
 * with why. Every one can be dismissed and shows its saved output.
 */
export function stoppedNode(stopped: ResumableRecord, now: number): ResumableNode {
  const shell = stopped.kind === 'shell';
  const resumable = !shell && !stopped.notResumable && stopped.conversationId !== undefined && stopped.resumeArgv !== undefined;
  const what = shell ? 'restorable' : resumable ? 'resumable' : 'notResumable';
  const action = shell
    ? '**Restore Sessions** starts it again in this worktree, printing its saved output first.'
    : resumable
      ? `**Resume** continues conversation \`${stopped.conversationId}\` in this worktree.`
      : `It cannot be resumed: ${stopped.notResumable ?? 'its conversation is unknown'}.`;
  return {
    kind: 'resumable',
    id: `resumable:${stopped.key}`,
    workspaceId: stopped.workspaceId,
    resumableKey: stopped.key,
    label: stopped.label,
    description: shell ? 'stopped · restorable' : resumable ? 'stopped · resumable' : 'stopped · not resumable',
    tooltip: [
      `**${stopped.label}** stopped without exiting (the machine restarted or tmux was stopped).`,
      `Stopped ${ago(now - stopped.stoppedAt)} (${localTime(stopped.stoppedAt)})`,
      action,
      '**Show Previous Output** opens what it last printed.',
    ].join('\n\n'),
    icon: { id: shell ? 'terminal' : resumable ? 'debug-restart' : 'circle-slash', color: 'disabledForeground' },
    contextValue: `session+${shell ? 'shell' : 'agent'}+stopped+${what}`,
  };
}
