import { existsSync } from 'node:fs';
import { errorMessage } from '../errors';
import { WorktreePaths } from '../git/WorktreePaths';
import { baseSessionName, isOurSessionName } from '../naming';
import { readSessionMirror, readWorkspaceMirror, repair, type Evidence, type Repair } from '../store/RecordMirror';
import type { PortBlock, SessionRecord, WorkspaceRecord } from '../store/records';
import { GONE, exactPane, type LiveSession } from '../tmux/TmuxClient';
import { localTime } from '../time';
import type { LifecycleContext } from './context';
import { overlaps, portRange } from './portBlocks';

/** A workspace's share of a repair: what to restore under it and what to retire. */
export interface WorkspaceRepair {
  readonly workspace?: WorkspaceRecord;
  readonly sessions: readonly SessionRecord[];
  readonly retire?: WorkspaceRecord;
  readonly retireSessions: readonly SessionRecord[];
}

/**
 * Truth beside the resource, applied: gathers what the tmux sessions and
 * worktrees carry (`RecordMirror`), works out what the store lost or got
 * back after a delete, and writes that, each workspace with its lock held
 * (the coordinator takes it), every change logged and reported.
 */
export class RecordRepair {
  /** `git worktree list`, asked again only when a repository's worktrees changed. */
  private readonly worktreePaths: WorktreePaths;

  constructor(private readonly context: LifecycleContext) {
    this.worktreePaths = new WorktreePaths(context.git);
  }

  /** The repair the resources call for, by workspace id. `listing`: a list-sessions made after the records were last written here. */
  async plan(listing: readonly LiveSession[]): Promise<Map<string, WorkspaceRepair>> {
    const { store } = this.context;
    await store.whenCurrent();
    const records = { workspaces: store.workspaces(), sessions: store.sessions() };
    const result = repair(records, await this.evidence(records.workspaces, records.sessions, listing));
    return byWorkspace(records, result);
  }

  /** Writes one workspace's repair, each step checked again against the store and the resource. With the workspace's lock. */
  async apply(workspaceId: string, plan: WorkspaceRepair): Promise<void> {
    const { store } = this.context;
    await store.whenCurrent();
    if (plan.workspace && (await this.stillMirrored(plan.workspace))) {
      const restored = { ...plan.workspace, ports: this.portsStillFree(plan.workspace), repairNote: note('its worktree') };
      if (await store.restoreWorkspace(restored)) this.report(workspaceId, `restored workspace "${restored.branch}" (${workspaceId}) from the record mirrored in its worktree: its record had been lost from the editor's storage`);
    }
    for (const record of plan.sessions) {
      const carried = await readSessionMirror(this.context.tmux, record.tmuxName, this.context.log);
      if (!store.workspace(workspaceId) || carried?.key !== record.key || carried.createdAt !== record.createdAt) continue;
      if (await store.restoreSession(restoredSession(record))) this.report(workspaceId, `restored session "${record.label}" (${record.tmuxName}) from the record its tmux session carries: its record had been lost from the editor's storage`);
    }
    if (plan.retire && !(await this.worktreeListed(plan.retire)) && (await store.retireWorkspace(workspaceId, plan.retire.updatedAt))) {
      this.report(workspaceId, `retired workspace "${plan.retire.branch}" (${workspaceId}): its record came back after its worktree ${plan.retire.worktreePath} was removed`);
    }
    for (const record of plan.retireSessions) {
      if (store.workspace(workspaceId)) continue;
      if (await store.forgetSession(record.key, record.createdAt)) this.report(workspaceId, `retired session "${record.label}" (${record.tmuxName}): its workspace no longer exists`);
    }
  }

  /**
   * The restored record's block, unless a workspace was given some of it while
   * the record was lost (its block looked free): that one keeps it, and this
   * one gets a new block when its next pane starts. With `PORTS_LOCK` held.
   */
  private portsStillFree(record: WorkspaceRecord): PortBlock | undefined {
    const block = record.ports;
    const holder = block && this.context.store.workspaces().find((other) => other.id !== record.id && other.ports && overlaps(other.ports, block));
    if (!block || !holder) return block;
    this.context.log.warn(
      `Repair: workspace "${record.branch}" (${record.id}) held ports ${portRange(block)} before its record was lost; workspace "${holder.branch}" (${holder.id}) holds them now, so "${record.branch}" gets a new block when its next terminal starts (terminals already running keep the old TMUX_WORKSPACES_PORT).`,
    );
    return undefined;
  }

  private report(workspaceId: string, message: string): void {
    this.context.log.warn(`Repair: ${message}.`);
    this.context.emit({ type: 'repaired', workspaceId, note: message });
  }

  private async stillMirrored(record: WorkspaceRecord): Promise<boolean> {
    const mirror = await readWorkspaceMirror(record.worktreePath, { log: this.context.log });
    return mirror?.owner === (await this.context.ownerId()) && mirror.record.id === record.id;
  }

  /** Whether the worktree is on disk or git still lists it (then it was not deleted; it is missing, which the user sees). */
  private async worktreeListed(record: WorkspaceRecord): Promise<boolean> {
    if (existsSync(record.worktreePath) || !existsSync(record.repoPath)) return true;
    return (await this.worktreePaths.of(record.repoPath)).includes(record.worktreePath);
  }

  private async evidence(workspaces: readonly WorkspaceRecord[], sessions: readonly SessionRecord[], listing: readonly LiveSession[]): Promise<Evidence> {
    const installId = await this.context.ownerId();
    const recorded = new Set(sessions.map((session) => session.tmuxName));
    const known = new Set(workspaces.map((workspace) => workspace.id));
    const ours = listing.filter((session) => session.owner === installId && isOurSessionName(session.name));
    const bases = ours.filter((session) => session.key !== undefined && session.name === baseSessionName(session.key));
    const runtime = ours.filter((session) => !bases.includes(session));
    const evidenceSessions = await Promise.all(
      runtime.map(async (session) => ({
        name: session.name,
        owner: session.owner,
        record: recorded.has(session.name) ? undefined : await readSessionMirror(this.context.tmux, session.name, this.context.log),
      })),
    );
    const paths = new Set<string>();
    for (const workspace of workspaces) {
      if (await this.worktreeListed(workspace)) paths.add(workspace.worktreePath);
    }
    // A lost workspace's worktree: where its base terminal started, or another worktree of a repository we know.
    for (const base of bases.filter((session) => !known.has(session.key!))) {
      const path = await this.sessionPath(base.name);
      if (path) paths.add(path);
    }
    for (const repoPath of new Set(workspaces.map((workspace) => workspace.repoPath))) {
      for (const worktree of await this.worktreesOf(repoPath)) {
        if (existsSync(worktree)) paths.add(worktree);
      }
    }
    const knownPaths = new Set(workspaces.map((workspace) => workspace.worktreePath));
    const worktrees = await Promise.all(
      [...paths].map(async (path) => {
        const mirror = knownPaths.has(path) ? undefined : await readWorkspaceMirror(path, { log: this.context.log });
        return { path, owner: mirror?.owner, record: mirror?.record };
      }),
    );
    return { installId, sessions: [...evidenceSessions, ...bases.map((session) => ({ name: session.name, owner: session.owner }))], worktrees };
  }

  private async worktreesOf(repoPath: string): Promise<string[]> {
    if (!existsSync(repoPath)) return [];
    try {
      return (await this.worktreePaths.of(repoPath)).filter((path) => path !== repoPath);
    } catch (error) {
      this.context.log.warn(`Repair: could not list the worktrees of ${repoPath}: ${errorMessage(error)}`);
      return [];
    }
  }

  /** The folder a session started in (a base terminal starts in its worktree). */
  private async sessionPath(name: string): Promise<string | undefined> {
    const path = await this.context.tmux.run(['display-message', '-p', '-t', exactPane(name), '#{session_path}'], { goneIsEmpty: true });
    return path === GONE ? undefined : path.trim() || undefined;
  }
}

/** A repair split by workspace: the restores and retirements that concern each. */
function byWorkspace(records: { workspaces: readonly WorkspaceRecord[]; sessions: readonly SessionRecord[] }, result: Repair): Map<string, WorkspaceRepair> {
  const plans = new Map<string, { workspace?: WorkspaceRecord; sessions: SessionRecord[]; retire?: WorkspaceRecord; retireSessions: SessionRecord[] }>();
  const of = (id: string) => plans.get(id) ?? plans.set(id, { sessions: [], retireSessions: [] }).get(id)!;
  for (const workspace of result.restore.workspaces) of(workspace.id).workspace = workspace;
  for (const session of result.restore.sessions) of(session.workspaceId).sessions.push(session);
  for (const id of result.retire.workspaces) of(id).retire = records.workspaces.find((workspace) => workspace.id === id);
  // Sessions that merely ended are the exit collector's (it keeps resumable agents); here only those left without a workspace.
  const kept = new Set(records.workspaces.map((workspace) => workspace.id).filter((id) => !result.retire.workspaces.includes(id)));
  for (const session of records.sessions.filter((record) => result.retire.sessions.includes(record.key) && !kept.has(record.workspaceId))) {
    of(session.workspaceId).retireSessions.push(session);
  }
  return plans;
}

/** A first prompt a lost record left `pending` or `delivering` may or may not have arrived: never pasted again. */
function restoredSession(record: SessionRecord): SessionRecord {
  const prompt = record.prompt && (record.prompt.state === 'pending' || record.prompt.state === 'delivering')
    ? { state: 'unknown' as const, at: Date.now(), detail: 'its record was restored; the prompt may not have arrived' }
    : record.prompt;
  return { ...record, ...(prompt ? { prompt } : {}), repairNote: note('its tmux session') };
}

function note(from: string): string {
  return `Restored from ${from} on ${localTime(Date.now())}: its record had been lost from the editor's storage.`;
}
