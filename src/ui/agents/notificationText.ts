import type { SessionRecord } from '../../core/store/records';
import type { AgentStateChange } from '../tree/AgentStateModel';
import { count } from '../words';

/** What a notification is about; `needsInput` and `finished` are what the setting can leave out. */
export type NoticeKind = 'needsInput' | 'finished' | 'failed';

/** One agent's state change worth telling the user, with its words. */
export interface Notice {
  readonly session: SessionRecord;
  readonly kind: NoticeKind;
  /** The state it claims across windows (`needs-input`, `idle`, `exited`) and since when. */
  readonly state: string;
  readonly since: number;
  readonly text: string;
}

/** What `tmuxWorkspaces.notifications` lets through. */
export type NotificationMode = 'all' | 'needsInput' | 'failures' | 'off';

export const NOTIFICATION_MODES: readonly NotificationMode[] = ['all', 'needsInput', 'failures', 'off'];

const ALLOWED: Record<NotificationMode, readonly NoticeKind[]> = {
  all: ['needsInput', 'finished', 'failed'],
  needsInput: ['needsInput', 'failed'],
  failures: ['failed'],
  off: [],
};

export function allows(mode: NotificationMode, kind: NoticeKind): boolean {
  return ALLOWED[mode].includes(kind);
}

/**
 * The setting's value; the boolean it was before reads as its old meaning
 * (`true`: tell everything, `false`: only failures).
 */
export function notificationMode(value: unknown): NotificationMode {
  if (value === true) return 'all';
  if (value === false) return 'failures';
  return NOTIFICATION_MODES.includes(value as NotificationMode) ? (value as NotificationMode) : 'all';
}

/** `<agent> in "<branch>"`, or the agent alone when its workspace is not known. */
export function agentName(session: SessionRecord, branch: string | undefined): string {
  return branch ? `${session.label} in "${branch}"` : session.label;
}

/**
 * The notice for a state change, if it is one to tell: an agent that starts
 * needing input (with why, when its hook said), or a turn that ended
 * (working to idle). Exits are told from the lifecycle (`exitNotice`).
 */
export function stateNotice(change: AgentStateChange, name: string): Notice | undefined {
  const { session, since } = change;
  if (change.to === 'needs-input' && change.from !== 'needs-input') {
    const asked = change.detail?.trim() ? toolAsked(change.detail) : '';
    const detail = asked ? `: ${oneLine(asked)}` : '';
    const text =
      change.reason === 'permission' ? `${name} needs your permission${detail}` : change.reason === 'question' ? `${name} asks a question${detail}` : `${name} needs your input${detail}`;
    return { session, kind: 'needsInput', state: 'needs-input', since, text };
  }
  if (change.from === 'working' && change.to === 'idle') return { session, kind: 'finished', state: 'idle', since, text: `${name} finished` };
  return undefined;
}

/** The notice for an agent whose process ended on its own. One per session: it is claimed at the session's start time. */
export function exitNotice(session: SessionRecord, exitCode: number, name: string): Notice {
  if (exitCode === 0) return { session, kind: 'finished', state: 'exited', since: session.createdAt, text: `${name} finished` };
  return { session, kind: 'failed', state: 'exited', since: session.createdAt, text: `${name} failed (exit ${exitCode})` };
}

/** The one line several notices told together become: `3 agents need your input`, `2 agents: 1 needs your input, 1 finished`. */
export function coalescedText(notices: readonly Notice[]): string {
  const needing = notices.filter((notice) => notice.kind === 'needsInput').length;
  const finished = notices.length - needing;
  if (finished === 0) return `${count(needing, 'agent needs', 'agents need')} your input`;
  if (needing === 0) return `${count(finished, 'agent')} finished`;
  return `${count(notices.length, 'agent')}: ${needing} ${needing === 1 ? 'needs' : 'need'} your input, ${finished} finished`;
}

/** What a permission is for: Claude Code's notification says it in a sentence ("Claude needs your permission to use Bash"), which the notice would repeat. */
function toolAsked(detail: string): string {
  const tool = /needs your permission to use (.+)$/i.exec(detail.trim())?.[1];
  return tool ? tool.replace(/^"(.*)"$/, '$1') : detail;
}

/** Hook details (a shell command) can span lines; a notification shows one, shortened. */
function oneLine(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
