import { archivedNode, isArchivedRow, type ArchivedNode } from './archivedNodes';
import { stoppedNode } from './stoppedNodes';
import { basename } from 'node:path';
import type { AgentState } from '../../core/agents/AgentStatus';
import type { AgentLatest } from './AgentStateModel';
import { agentTooltipLines, promptWords, stateWords } from './agentRow';
import type { SessionView, WorkspaceView } from '../../core/lifecycle/RuntimeLifecycle';
import type { LiveSession } from '../../core/tmux/TmuxClient';
import type { PromptState, WorkspaceStatus } from '../../core/store/records';
import { localTime } from '../../core/time';
import { ago, count, statusWords } from '../words';
import { setupSkipped } from '../../core/lifecycle/ProjectSetup';
import { setupHistory, stageWords } from './setupHistory';
import type { DiskSize } from '../../core/disk/DiskUsage';
import { resourceLines } from './resourceLines';
import { changesNode, type ChangedFileNode, type ChangesNode } from './changeNodes';
import { findOverlaps, overlapTooltip, overlapWords, type Overlap } from './overlaps';
import type { WorktreeChangeSet } from '../../core/git/WorktreeChanges';
import type { PullRequestInfo } from '../../core/github/GhCli';

export type { ChangedFileNode, ChangesNode } from './changeNodes';

/** A codicon with an optional theme colour. */
export interface NodeIcon {
  /** A codicon id, e.g. `sync~spin`. */
  readonly id: string;
  /** A theme colour id, e.g. `errorForeground`. */
  readonly color?: string;
}

export interface NodeBase {
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  /** Markdown. */
  readonly tooltip?: string;
  readonly icon: NodeIcon;
  /** Flags joined by `+`, matched by menus with `viewItem =~ /\bflag\b/`. */
  readonly contextValue: string;
}

export interface RepositoryNode extends NodeBase {
  readonly kind: 'repository';
  readonly repoPath: string;
  readonly workspaces: readonly WorkspaceNode[];
}

export interface WorkspaceNode extends NodeBase {
  readonly kind: 'workspace';
  readonly workspaceId: string;
  readonly status: WorkspaceStatus;
  readonly children: readonly (BaseTerminalNode | SessionNode | ResumableNode | ChangesNode)[];
}

export interface BaseTerminalNode extends NodeBase {
  readonly kind: 'base';
  readonly workspaceId: string;
}

export interface SessionNode extends NodeBase {
  readonly kind: 'session';
  readonly workspaceId: string;
  readonly sessionKey: string;
}

/** A session that stopped without exiting on its own (a reboot): an agent to resume, a shell to restore (`stoppedNodes`). */
export interface ResumableNode extends NodeBase {
  readonly kind: 'resumable';
  readonly workspaceId: string;
  readonly resumableKey: string;
}

export interface MessageNode extends NodeBase {
  readonly kind: 'message';
}

export interface OrphansNode extends NodeBase {
  readonly kind: 'orphans';
  readonly orphans: readonly OrphanNode[];
}

export interface OrphanNode extends NodeBase {
  readonly kind: 'orphan';
  readonly tmuxName: string;
}

/**
 * The tree as plain data, free of the editor API so it is unit-tested in Node.
 * `WorkspaceTreeProvider` turns each node into a `vscode.TreeItem`.
 */
export type TreeNode = RepositoryNode | ArchivedNode | WorkspaceNode | BaseTerminalNode | SessionNode | ResumableNode | ChangesNode | ChangedFileNode | MessageNode | OrphansNode | OrphanNode;

/** A workspace's changes against its base, counted when its worktree changed. */
export type WorkspaceStats = WorktreeChangeSet;

export interface TreeInput {
  readonly workspaces: readonly WorkspaceView[];
  readonly stats: ReadonlyMap<string, WorkspaceStats>;
  readonly tmuxAvailable: boolean;
  /** Sessions with our marker and no record. */
  readonly orphans?: readonly LiveSession[];
  /** What each agent session is doing (by session key), where known. */
  readonly agentStates?: ReadonlyMap<string, AgentState>;
  /** What each agent's row and tooltip tell beside its state (`AgentStateModel.latest`). */
  readonly agentLatest?: (sessionKey: string) => AgentLatest | undefined;
  /** Each workspace's pull request, where gh told. */
  readonly pullRequests?: ReadonlyMap<string, PullRequestInfo>;
  /** Each workspace's worktree size, where one was measured (`DiskUsage`). */
  readonly sizes?: ReadonlyMap<string, DiskSize>;
  readonly muted?: ReadonlySet<string>;
  /** Other live workspaces of the same repository changing the same files (computed by buildTree from `stats`). */
  readonly overlaps?: ReadonlyMap<string, readonly Overlap[]>;
  readonly now: number;
}

const STATUS_ICONS: Record<WorkspaceStatus, NodeIcon> = {
  creating: { id: 'sync~spin' },
  ready: { id: 'git-branch', color: 'charts.green' },
  error: { id: 'error', color: 'errorForeground' },
  deleting: { id: 'loading~spin' },
  deletion_failed: { id: 'warning', color: 'list.errorForeground' },
  archiving: { id: 'loading~spin' },
  archived: { id: 'archive', color: 'disabledForeground' },
  archive_failed: { id: 'warning', color: 'list.errorForeground' },
};

/** How an agent's state looks: icon, words in the description, and its `contextValue` flag. */
const AGENT_LOOKS: Record<AgentState, { readonly icon: NodeIcon; readonly words: string; readonly flag: string }> = {
  working: { icon: { id: 'sync~spin' }, words: 'working', flag: 'working' },
  'needs-input': { icon: { id: 'bell-dot', color: 'list.warningForeground' }, words: 'needs input', flag: 'needsInput' },
  idle: { icon: { id: 'hubot' }, words: 'idle', flag: 'idle' },
  done: { icon: { id: 'pass', color: 'disabledForeground' }, words: 'done', flag: 'done' },
  failed: { icon: { id: 'error', color: 'errorForeground' }, words: 'failed', flag: 'failed' },
  stuck: { icon: { id: 'watch', color: 'list.warningForeground' }, words: 'stuck?', flag: 'stuck' },
};

export function buildTree(input: TreeInput): TreeNode[] {
  const overlaps = findOverlaps(input.workspaces, input.stats);
  const rows = input.workspaces.map((view) => workspaceNode(view, { ...input, overlaps }));
  const workspaces = rows.filter((node) => !isArchivedRow(node));
  const archived = archivedNode(rows.filter(isArchivedRow));
  const roots: TreeNode[] = [];
  if (!input.tmuxAvailable && workspaces.length > 0) {
    roots.push({
      kind: 'message',
      id: 'message:no-tmux',
      label: 'tmux is not installed',
      description: 'create and delete still work',
      tooltip: 'Sessions need tmux. Install it (`sudo apt install tmux`, `brew install tmux`) and refresh.',
      icon: { id: 'warning', color: 'list.warningForeground' },
      contextValue: 'message',
    });
  }
  const orphans = [...(archived ? [archived] : []), ...(input.orphans && input.orphans.length > 0 ? [orphansNode(input.orphans, input.now)] : [])];
  const repos = [...new Set(input.workspaces.filter((view) => view.record.status !== 'archived').map((view) => view.record.repoPath))];
  if (repos.length <= 1) return [...roots, ...workspaces, ...orphans];
  for (const repoPath of repos.sort((a, b) => basename(a).localeCompare(basename(b)))) {
    const members = workspaces.filter((node) => input.workspaces.find((view) => view.record.id === node.workspaceId)?.record.repoPath === repoPath);
    roots.push({
      kind: 'repository',
      id: `repo:${repoPath}`,
      label: basename(repoPath),
      description: count(members.length, 'workspace'),
      tooltip: repoPath,
      icon: { id: 'repo' },
      contextValue: 'repository',
      repoPath,
      workspaces: members,
    });
  }
  return [...roots, ...orphans];
}

/** Shown instead of the workspaces when they could not be listed (e.g. tmux refused its server). */
export function listingFailedNode(message: string): MessageNode {
  return {
    kind: 'message',
    id: 'message:listing-failed',
    label: 'Could not read tmux sessions',
    description: message,
    tooltip: `${message}\n\nIf tmux was just upgraded, the old server may still be running: stop it (\`tmux kill-server\`) or reload the window, then refresh.`,
    icon: { id: 'error', color: 'errorForeground' },
    contextValue: 'message',
  };
}

/** Sessions running on our server that no record accounts for, so nothing runs unseen. */
function orphansNode(orphans: readonly LiveSession[], now: number): OrphansNode {
  return {
    kind: 'orphans',
    id: 'orphans',
    label: 'Orphaned Sessions',
    description: `${orphans.length}`,
    tooltip: 'Sessions on the extension\'s tmux server that carry its marker but belong to no workspace (a launch whose record never landed). Attach to look, adopt one into a workspace, or kill it.',
    icon: { id: 'question', color: 'list.warningForeground' },
    contextValue: 'orphans',
    orphans: orphans.map((session) => ({
      kind: 'orphan',
      id: `orphan:${session.name}`,
      tmuxName: session.name,
      label: session.name,
      description: attachedWords(session.attachedClients),
      tooltip: [`tmux session \`${session.name}\` with no record`, clientWords(session.attachedClients), started(session.createdAt * 1000, now)].join('\n\n'),
      icon: { id: 'debug-disconnect' },
      contextValue: 'orphan',
    })),
  };
}

export function workspaceNode(view: WorkspaceView, input: Pick<TreeInput, 'stats' | 'tmuxAvailable' | 'now' | 'agentStates' | 'agentLatest' | 'pullRequests' | 'overlaps' | 'sizes' | 'muted'>): WorkspaceNode {
  const { record } = view;
  const stats = input.stats.get(record.id);
  const overlaps = input.overlaps?.get(record.id) ?? [];
  // The repository is in the tooltip, and several repositories group the rows under theirs.
  const description: string[] = [];
  if (record.status === 'ready') {
    if (stats && (stats.added > 0 || stats.removed > 0)) description.push(`+${stats.added} −${stats.removed}`);
    if (stats?.dirty) description.push('●');
    if (stats?.inProgress) description.push('conflicts');
    if (overlaps.length > 0) description.push(`⚠ ${overlapWords(overlaps)}`);
  } else {
    const running = record.setupEvents.at(-1);
    // What runs now: a setup stage while creating, a teardown step while deleting or archiving.
    const shown = running?.outcome === 'started' && (record.status === 'creating' || ((record.status === 'deleting' || record.status === 'archiving') && running.stage === 'teardown'));
    description.push(shown ? `${statusWords(record.status)}: ${stageWords(running)}…` : statusWords(record.status));
  }
  const flags = ['workspace', record.status];
  if (stats?.dirty) flags.push('dirty');
  if (stats?.inProgress) flags.push('conflicts');
  if (overlaps.length > 0) flags.push('overlaps');
  if (record.setupLog) flags.push('hasSetupLog');
  // Setup steps declined or not trusted: Retry Setup asks (or checks trust) again.
  if (record.status === 'ready' && setupSkipped(record)) flags.push('setupSkipped');
  if (input.tmuxAvailable) flags.push('tmux');
  if (view.sessions.some((session) => session.record.kind === 'shell' && session.alive)) flags.push('hasShell');
  if (view.folder) flags.push('hasFolder');
  const muted = input.muted?.has(record.id) === true;
  if (muted) {
    flags.push('muted');
    description.push('🔕');
  }

  const children: (BaseTerminalNode | SessionNode | ResumableNode | ChangesNode)[] = [];
  if (record.status === 'ready' || record.status === 'error' || view.base.alive) children.push(baseNode(view, input));
  for (const session of view.sessions) children.push(sessionNode(view, session, input.now, input.agentStates?.get(session.record.key), input.agentLatest?.(session.record.key)));
  for (const resumable of view.resumable ?? []) children.push(stoppedNode(resumable, input.now));
  const changes = record.status === 'ready' && view.folder ? changesNode(record.id, record.baseBranch, record.worktreePath, stats) : undefined;
  if (changes) children.push(changes);

  return {
    kind: 'workspace',
    id: `ws:${record.id}`,
    workspaceId: record.id,
    status: record.status,
    label: record.branch,
    description: description.length > 0 ? description.join(' · ') : undefined,
    tooltip: [
      workspaceTooltip(view, stats, input.pullRequests?.get(record.id)),
      ...resourceLines(record, input.sizes?.get(record.id), input.now),
      ...(overlaps.length > 0 ? [overlapTooltip(overlaps)] : []),
      ...(muted ? ['🔕 Notifications muted: Unmute Notifications (context menu) turns them on again.'] : []),
    ].join('\n\n'),
    icon: STATUS_ICONS[record.status],
    contextValue: flags.join('+'),
    children,
  };
}

function baseNode(view: WorkspaceView, input: Pick<TreeInput, 'tmuxAvailable'>): BaseTerminalNode {
  const { record, base } = view;
  const flags = ['base', base.alive ? 'alive' : 'stopped'];
  if (input.tmuxAvailable) flags.push('tmux');
  if (view.folder) flags.push('hasFolder');
  return {
    kind: 'base',
    id: `base:${record.id}`,
    workspaceId: record.id,
    label: 'Base terminal',
    description: !input.tmuxAvailable ? 'tmux not installed' : base.alive ? attachedWords(base.attachedClients) : 'starts on attach',
    tooltip: [record.baseNote ?? `tmux session \`${base.name}\``, ...(base.alive ? [clientWords(base.attachedClients)] : [])].join('\n\n'),
    icon: { id: 'terminal-tmux', color: base.alive ? undefined : 'disabledForeground' },
    contextValue: flags.join('+'),
  };
}

function sessionNode(view: WorkspaceView, session: SessionView, now: number, agentState: AgentState | undefined, latest: AgentLatest | undefined): SessionNode {
  const { record } = session;
  const flags = ['session', record.kind, session.alive ? 'alive' : 'ended'];
  if (session.attachedClients > 0) flags.push('attached');
  // An agent shows what it is doing (once known); one whose process has ended is done.
  const state = record.kind !== 'agent' ? undefined : session.alive ? agentState : 'done';
  const looks = state && AGENT_LOOKS[state];
  if (looks && session.alive) flags.push(looks.flag);
  if (record.conversationId && record.resumeArgv) flags.push('resumable');
  // Send Again and Copy Prompt: the prompt was given up, or may not have arrived.
  if (record.prompt?.state === 'failed' || record.prompt?.state === 'unknown') flags.push('promptUnsent');
  const queued = session.alive ? record.queued?.length ?? 0 : 0;
  if (queued > 0) flags.push('queued');
  // The state alone, so the inline buttons cannot cover it; clients and age are in the tooltip.
  // A first prompt on its way is what the user waits for (up to the agent's readiness wait).
  const sending = session.alive && (record.prompt?.state === 'pending' || record.prompt?.state === 'delivering');
  const words = sending ? 'sending prompt…' : state && looks ? stateWords(state, latest, looks.words) : session.alive ? attachedWords(session.attachedClients) : 'ended';
  const description = [words, ...(queued > 0 ? [`${queued} queued`] : []), ...(session.alive ? [promptWords(latest)].filter(Boolean) : [])].join(' · ');
  const tooltip = [sessionTitle(record.label, record.kind, looks?.words)];
  if (session.alive) tooltip.push(...agentTooltipLines(latest, now), clientWords(session.attachedClients));
  tooltip.push(started(record.createdAt, now), `tmux session \`${record.tmuxName}\``);
  if (record.prompt) tooltip.push(`First prompt: ${PROMPT_WORDS[record.prompt.state]}${record.prompt.detail ? ` (${record.prompt.detail})` : ''}`);
  if (record.conversationId) tooltip.push(`Conversation \`${record.conversationId}\``);
  if (queued > 0) tooltip.push(`Waiting until it stops working (Send to Agent): ${record.queued!.map((message) => `“${message.preview}”`).join(', ')}`);
  if (record.repairNote) tooltip.push(record.repairNote);
  return {
    kind: 'session',
    id: `session:${record.key}`,
    workspaceId: view.record.id,
    sessionKey: record.key,
    label: record.label,
    description,
    tooltip: tooltip.join('\n\n'),
    icon: looks?.icon ?? { id: record.kind === 'shell' ? 'terminal' : 'hubot', color: session.alive ? undefined : 'disabledForeground' },
    contextValue: flags.join('+'),
  };
}

const PROMPT_WORDS: Record<PromptState, string> = {
  pending: 'waiting for the agent to be ready',
  delivering: 'being pasted',
  delivered: 'sent',
  failed: 'not sent',
  unknown: 'may not have arrived',
};

function workspaceTooltip(view: WorkspaceView, stats: WorkspaceStats | undefined, pullRequest: PullRequestInfo | undefined): string {
  const { record } = view;
  const lines = [
    `**${record.branch}** — ${statusWords(record.status)}`,
    `Repository: \`${record.repoPath}\``,
    `Path: \`${record.worktreePath}\``,
    `Base branch: \`${record.baseBranch}\``,
  ];
  if (stats) lines.push(`Changes: +${stats.added} −${stats.removed}${stats.dirty ? ', uncommitted changes' : ''}`);
  if (stats?.inProgress) lines.push(`A ${stats.inProgress} stopped on conflicts: resolve them in the worktree, then \`git ${stats.inProgress} --continue\` (or \`--abort\`).`);
  if (pullRequest) lines.push(`Pull request (${pullRequest.state}): ${pullRequest.url}`);
  if (record.lastError) lines.push(`Last error: ${record.lastError}`);
  lines.push(`Base terminal: ${view.base.alive ? 'running' : 'not running'}`);
  if (record.status === 'error') lines.push(retryWords(view));
  if (record.baseNote) lines.push(record.baseNote);
  if (record.repairNote) lines.push(record.repairNote);
  const history = setupHistory(record.setupEvents, record.status);
  if (history) lines.push(history);
  return lines.join('\n\n');
}

/** What Retry Setup will do for a failed workspace: only what is missing. */
function retryWords(view: WorkspaceView): string {
  const steps = [...(view.folder ? [] : ['make the worktree']), ...(view.base.alive ? [] : ['start the base terminal'])];
  if (steps.length === 0) return 'Retry Setup will run the setup command again.';
  return `Retry Setup will ${steps.join(', ')} and run the setup command.`;
}

/** A running session's one word: whether a terminal shows it. */
function attachedWords(clients: number): string {
  return clients > 0 ? 'attached' : 'running';
}

function clientWords(clients: number): string {
  return clients > 0 ? `Attached in ${count(clients, 'terminal')}` : 'Not attached';
}

function started(at: number, now: number): string {
  return `Started ${ago(now - at)} (${localTime(at)})`;
}

/** `**Claude Code** (agent, idle)`; the kind only where the label does not already say it (`**shell**`). */
function sessionTitle(label: string, kind: string, state: string | undefined): string {
  const details = [...(label === kind ? [] : [kind]), ...(state ? [state] : [])];
  return details.length > 0 ? `**${label}** (${details.join(', ')})` : `**${label}**`;
}
