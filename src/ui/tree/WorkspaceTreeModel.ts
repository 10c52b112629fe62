import type { AgentState } from '../../core/agents/AgentStatus';
import type { AgentLatest, AgentStateChange } from './AgentStateModel';
import { Emitter, type Disposable, type Event } from '../../core/events';
import type { LifecycleChange, WorkspaceView } from '../../core/lifecycle/RuntimeLifecycle';
import type { LiveSession } from '../../core/tmux/TmuxClient';
import { buildTree, listingFailedNode, type TreeNode, type WorkspaceNode, type WorkspaceStats } from './nodes';
import { logFailure, silentLog, type Logger } from '../../core/log';
import type { PullRequestInfo } from '../../core/github/GhCli';
import type { DiskSize } from '../../core/disk/DiskUsage';

/** What the tree needs from the lifecycle; tests fake exactly this. */
export interface WorkspaceSource {
  readonly onDidChange: Event<LifecycleChange>;
  listWorkspaces(): Promise<WorkspaceView[]>;
  listOrphans(): Promise<LiveSession[]>;
  worktreeChanges(workspaceId: string): Promise<WorkspaceStats | undefined>;
  /** The workspace's pull request where gh can tell; the lifecycle asks gh once per window and keeps the answer. */
  /** `fresh`: ask again (a manual Refresh), not the answer kept from earlier. */
  pullRequest?(workspaceId: string, options?: { fresh?: boolean }): Promise<PullRequestInfo | undefined>;
  tmuxAvailable(): Promise<boolean>;
}

/** Tells when a worktree's index or HEAD changed (`WorktreeWatcher`); the model keeps it told which worktrees to watch. */
export interface WorktreeChangeView {
  readonly onDidChange: Event<string>;
  track(worktrees: readonly { readonly id: string; readonly worktreePath: string }[]): unknown;
}

/** What each running agent is doing (`AgentStateModel`); the model keeps it told which agents run. */
export interface AgentStateView {
  readonly states: ReadonlyMap<string, AgentState>;
  /** A state or a latest prompt changed: the rows redraw. */
  readonly onDidChangeRows: Event<unknown>;
  /** The agents whose state changed: one that stops working has its workspace's changes recounted. */
  readonly onDidChange?: Event<readonly AgentStateChange[]>;
  /** What an agent's row and tooltip tell beside its state. */
  latest?(sessionKey: string): AgentLatest | undefined;
  track(views: readonly WorkspaceView[]): void;
}

/** Worktree sizes (`DiskUsage`): the tree draws what is known and measures stale ones after its rows are drawn. */
export interface WorktreeSizes {
  cached(root: string): DiskSize | undefined;
  isStale(root: string): boolean;
  size(root: string): Promise<DiskSize>;
}

export type RefreshReason = 'startup' | 'event' | 'manual';

const STATS_CONCURRENCY = 4;

/** Only a ready workspace has its changes counted. */
const isCounted = (view: WorkspaceView): boolean => view.record.status === 'ready';
const EXTERNAL_SETTLE_MS = 750;

/**
 * The tree's state: one snapshot of `listWorkspaces()` (one tmux call), plus
 * changed-line counts fetched in the background for the workspaces an event
 * touched. It follows the lifecycle's change events, coalesced, rather than a
 * timer over the whole tree.
 */
export class WorkspaceTreeModel implements Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly treeChanged = new Emitter<void>();
  /**
   * The rows changed: what the view redraws. A reload that draws the same rows
   * keeps the same nodes and tells the view nothing: every redraw of a tree
   * view makes VS Code forget its rows until it asks for them again, and a
   * context-menu command chosen in that moment arrives without its row.
   */
  readonly onDidChangeTree = this.treeChanged.event;
  /** The rows last drawn, as text, to tell a reload that changes nothing. */
  private drawn: string | undefined;
  private readonly subscription: Disposable;
  private views: WorkspaceView[] = [];
  private orphans: LiveSession[] = [];
  private tmux = true;
  private readonly stats = new Map<string, WorkspaceStats>();
  private readonly pullRequests = new Map<string, PullRequestInfo>();
  private readonly staleStats = new Set<string>();
  private nodes: TreeNode[] = [];
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private loadAgain = false;
  private loaded = false;
  private sizing: Promise<void> | undefined;
  /** Why the last listing failed, until one succeeds. */
  private failure: string | undefined;
  lastRefreshReason: RefreshReason | undefined;

  private readonly agentSubscription: Disposable | undefined;
  private readonly agentStopSubscription: Disposable | undefined;
  private readonly worktreeSubscription: Disposable | undefined;
  private readonly mutedSubscription: Disposable | undefined;

  constructor(
    private readonly source: WorkspaceSource,
    private readonly debounceMs = 50,
    private readonly agents?: AgentStateView,
    private readonly log: Logger = silentLog,
    private readonly worktrees?: WorktreeChangeView,
    private readonly sizes?: WorktreeSizes,
    /** The workspaces with muted notifications (`MuteStore`): their rows say so. */
    private readonly muted?: { readonly workspaces: ReadonlySet<string>; readonly onDidChange: Event<unknown> },
  ) {
    this.mutedSubscription = muted?.onDidChange(() => this.rebuild());
    // A stage, commit or checkout in a worktree recounts its changes, and nothing else does it by itself.
    this.worktreeSubscription = worktrees?.onDidChange((workspaceId) => {
      this.staleStats.add(workspaceId);
      this.schedule();
    });
    // A state change redraws the rows; it needs no new listing.
    this.agentSubscription = agents?.onDidChangeRows(() => {
      if (this.loaded) this.rebuild();
    });
    // An agent that stops working has likely edited files, which touch neither the index nor HEAD: recount its workspace.
    this.agentStopSubscription = agents?.onDidChange?.((changes) => {
      const stopped = changes.filter((change) => change.from === 'working' && change.to !== 'working');
      for (const change of stopped) this.staleStats.add(change.session.workspaceId);
      if (stopped.length > 0) this.schedule();
    });
    this.subscription = source.onDidChange((change) => {
      if ('workspaceId' in change) this.staleStats.add(change.workspaceId);
      else if ('session' in change) this.staleStats.add(change.session.workspaceId);
      this.schedule();
      // Another window's records reach this window's store a moment after its marker does.
      if (change.type === 'external') setTimeout(() => this.schedule(), EXTERNAL_SETTLE_MS).unref?.();
    });
  }

  get roots(): readonly TreeNode[] {
    return this.nodes;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  get workspaces(): readonly WorkspaceView[] {
    return this.views;
  }

  get tmuxAvailable(): boolean {
    return this.tmux;
  }

  children(node: TreeNode | undefined): readonly TreeNode[] {
    if (!node) return this.nodes;
    if (node.kind === 'repository' || node.kind === 'archived') return node.workspaces;
    if (node.kind === 'workspace') return node.children;
    if (node.kind === 'orphans') return node.orphans;
    if (node.kind === 'changes') return node.files;
    return [];
  }

  findWorkspace(workspaceId: string): WorkspaceNode | undefined {
    for (const root of this.nodes) {
      if (root.kind === 'workspace' && root.workspaceId === workspaceId) return root;
      if (root.kind === 'repository' || root.kind === 'archived') {
        const found = root.workspaces.find((node) => node.workspaceId === workspaceId);
        if (found) return found;
      }
    }
    return undefined;
  }

  parentOf(node: TreeNode): TreeNode | undefined {
    if (node.kind === 'base' || node.kind === 'session' || node.kind === 'resumable' || node.kind === 'changes') return this.findWorkspace(node.workspaceId);
    if (node.kind === 'changedFile') return this.findWorkspace(node.workspaceId)?.children.find((child) => child.kind === 'changes');
    if (node.kind === 'orphan') return this.nodes.find((root) => root.kind === 'orphans');
    if (node.kind === 'workspace') {
      return this.nodes.find((root) => (root.kind === 'repository' || root.kind === 'archived') && root.workspaces.some((member) => member.workspaceId === node.workspaceId));
    }
    return undefined;
  }

  /** Reloads now; `manual` and `startup` also recount every workspace's changes. */
  refresh(reason: RefreshReason): Promise<void> {
    if (reason !== 'event') for (const id of this.stats.keys()) this.staleStats.add(id);
    this.lastRefreshReason = reason;
    if (this.loading) {
      this.loadAgain = true;
      return this.loading;
    }
    this.loading = this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Resolves once the worktree sizes being measured in the background (if any) are drawn. */
  whenSized(): Promise<void> {
    return this.sizing ?? Promise.resolve();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.agentSubscription?.dispose();
    this.agentStopSubscription?.dispose();
    this.worktreeSubscription?.dispose();
    this.mutedSubscription?.dispose();
    this.changed.dispose();
    this.treeChanged.dispose();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh('event');
    }, this.debounceMs);
  }

  private async load(): Promise<void> {
    do {
      this.loadAgain = false;
      try {
        [this.views, this.tmux, this.orphans] = await Promise.all([
          this.source.listWorkspaces(),
          this.source.tmuxAvailable(),
          this.source.listOrphans().catch((error: unknown) => {
            // The orphan group is extra: the workspaces still show without it.
            logFailure(this.log, 'listing orphaned sessions')(error);
            return [];
          }),
        ]);
        if (this.failure !== undefined) this.log.info('Listing the workspaces works again.');
        this.failure = undefined;
      } catch (error) {
        // E.g. tmux refusing a server left by another tmux version: say so in the tree, and keep going.
        this.views = [];
        this.orphans = [];
        const failure = error instanceof Error ? error.message : String(error);
        // What the tree shows is in the log too; once, not at every refresh that fails the same way.
        if (failure !== this.failure) this.log.error(`Could not list the workspaces: ${failure}`);
        this.failure = failure;
        this.loaded = true;
        this.rebuild();
        continue;
      }
      const ids = new Set(this.views.map((view) => view.record.id));
      const ready = new Set(this.views.filter(isCounted).map((view) => view.record.id));
      // Stale counts stay on their rows until the recount replaces them (no row loses its counts for a moment);
      // a workspace no longer ready is not recounted, so its stale counts go.
      for (const id of this.stats.keys()) if (!ids.has(id) || (this.staleStats.has(id) && !ready.has(id))) this.stats.delete(id);
      const recount = new Set(this.staleStats);
      this.staleStats.clear();
      this.agents?.track(this.views);
      this.worktrees?.track(this.views.filter((view) => view.record.status === 'ready' && view.folder).map((view) => view.record));
      // Loaded before the change fires: the listeners set the `loaded` context key from it.
      this.loaded = true;
      this.rebuild();
      await this.loadStats(recount);
      this.measureSizes();
    } while (this.loadAgain);
  }

  /** Measures stale worktree sizes one at a time, in the background, redrawing once at the end; never awaited by a refresh. */
  private measureSizes(): void {
    const sizes = this.sizes;
    if (!sizes || this.sizing) return;
    const roots = this.views.filter((view) => view.record.status === 'ready' && view.folder).map((view) => view.record.worktreePath).filter((root) => sizes.isStale(root));
    if (roots.length === 0) return;
    this.sizing = (async () => {
      for (const root of roots) await sizes.size(root).catch(logFailure(this.log, `measuring the size of ${root}`, 'debug'));
      this.rebuild();
    })().finally(() => {
      this.sizing = undefined;
    });
  }

  private sizesByWorkspace(): Map<string, DiskSize> {
    const known = new Map<string, DiskSize>();
    for (const { record, folder } of this.views) {
      const size = folder ? this.sizes?.cached(record.worktreePath) : undefined;
      if (size) known.set(record.id, size);
    }
    return known;
  }

  /** Counts changes for the workspaces that lack them or whose counts are stale, a few at a time, redrawing once at the end. */
  private async loadStats(recount: ReadonlySet<string>): Promise<void> {
    const missing = this.views.filter((view) => isCounted(view) && (!this.stats.has(view.record.id) || recount.has(view.record.id))).map((view) => view.record.id);
    if (missing.length === 0) return;
    // A manual Refresh also asks gh again: a pull request may have been merged on the site meanwhile.
    const fresh = this.lastRefreshReason === 'manual';
    let next = 0;
    const worker = async () => {
      while (next < missing.length) {
        const id = missing[next++];
        const stats = await this.source.worktreeChanges(id).catch(logFailure(this.log, `counting the changes of workspace ${id}`, 'debug'));
        if (stats) this.stats.set(id, stats);
        else this.stats.delete(id);
        const pullRequest = await this.source.pullRequest?.(id, { fresh }).catch(logFailure(this.log, `reading the pull request of workspace ${id}`, 'debug'));
        if (pullRequest) this.pullRequests.set(id, pullRequest);
      }
    };
    await Promise.all(Array.from({ length: Math.min(STATS_CONCURRENCY, missing.length) }, worker));
    this.rebuild();
  }

  private rebuild(): void {
    if (this.failure !== undefined) {
      this.draw([listingFailedNode(this.failure)]);
      return;
    }
    this.draw(buildTree({ workspaces: this.views, stats: this.stats, tmuxAvailable: this.tmux, orphans: this.orphans, agentStates: this.agents?.states, agentLatest: this.agents?.latest?.bind(this.agents), pullRequests: this.pullRequests, sizes: this.sizesByWorkspace(), muted: this.muted?.workspaces, now: Date.now() }));
  }

  private draw(nodes: TreeNode[]): void {
    const drawn = JSON.stringify(nodes);
    if (drawn !== this.drawn) {
      this.nodes = nodes;
      this.drawn = drawn;
      this.treeChanged.fire();
    }
    this.changed.fire();
  }
}
