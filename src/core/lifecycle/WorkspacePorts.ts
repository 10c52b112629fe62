import { PROJECT_FILE, loadProjectFile } from '../project/projectFile';
import type { WorkspaceRecord } from '../store/records';
import { requireWorkspace, type LifecycleContext } from './context';
import { allocatePortBlock, machinePortProbe, portRange, resolvePortSettings, type PortSettings } from './portBlocks';
import { checkEnvironment, workspaceEnvironment, type EnvironmentLayer } from './workspaceEnvironment';

/** The one lock key every window takes to hand out port blocks (with the workspace's own lock held). */
export const PORTS_LOCK = 'ports';

/**
 * A workspace's block of ports and the variables its panes get. A block is
 * handed out once, when the workspace's first pane (or setup) starts, and kept
 * on its record for the workspace's life, so it never changes under a running
 * dev server. Every workspace record on this machine holds its block until the
 * record is forgotten (delete): an archived one keeps it for its Restore.
 */
export class WorkspacePorts {
  constructor(private readonly context: LifecycleContext) {}

  /** The record with its block, allocating one if it has none. With the workspace's lock and `PORTS_LOCK` held. */
  async ensure(workspaceId: string): Promise<WorkspaceRecord> {
    const { store, log } = this.context;
    const record = requireWorkspace(store, workspaceId);
    if (record.ports) return record;
    const settings = await this.settings(record.repoPath);
    const taken = store.workspaces().flatMap((other) => (other.id !== workspaceId && other.ports ? [other.ports] : []));
    const block = await allocatePortBlock(taken, settings, await machinePortProbe(log));
    const updated = (await store.update(workspaceId, { ports: block })) ?? record;
    log.info(`workspace ${workspaceId} holds ports ${portRange(block)}`);
    // The worktree's copy carries the block too, so a record lost from storage comes back with it.
    await this.context.mirror(workspaceId);
    this.context.changed(workspaceId);
    return updated;
  }

  /**
   * The variables for the workspace's panes, setup and teardown: built-in ones,
   * then the project file's `env` (only while the editor trusts the workspace:
   * a committed file must not set a pane's `BASH_ENV` or `PATH` in a repository
   * nobody vouched for), then the user's layers. A bad project file refuses,
   * naming the field, and nothing starts.
   */
  async environment(record: WorkspaceRecord): Promise<Record<string, string>> {
    return workspaceEnvironment(record, await this.layers(record.repoPath));
  }

  /**
   * The variables for a teardown: as `environment`, with the block the
   * workspace holds, or none. Never allocates: a workspace going away must not
   * take a block, nor fail its delete because none is left. Without a block,
   * a variable that needs one is left out (and logged).
   */
  async teardownEnvironment(record: WorkspaceRecord): Promise<Record<string, string>> {
    const withoutBlock = (where: string) => this.context.log.info(`workspace ${record.id}: teardown runs without ${where}, which needs ports the workspace does not hold`);
    return workspaceEnvironment(record, await this.layers(record.repoPath), { withoutBlock });
  }

  /**
   * Refuses, naming the field, a variable that `environment` would refuse for
   * a new workspace of the repository (its block's size as settings give it
   * now); a bad ports setting too. Create asks before anything exists.
   */
  async check(repoPath: string): Promise<void> {
    checkEnvironment(await this.layers(repoPath), (await this.settings(repoPath)).blockSize);
  }

  /** The team's project file first, the user's settings over it. */
  private async settings(repoPath: string): Promise<PortSettings> {
    const project = (await loadProjectFile(repoPath))?.file.ports;
    return resolvePortSettings([...(project ? [{ ...project, source: PROJECT_FILE }] : []), ...(this.context.options.ports?.(repoPath) ?? [])]);
  }

  private async layers(repoPath: string): Promise<EnvironmentLayer[]> {
    const { options } = this.context;
    const trusted = options.isTrusted?.() ?? true;
    const project = trusted ? await loadProjectFile(repoPath) : undefined;
    const file: EnvironmentLayer[] = project && Object.keys(project.file.env).length > 0 ? [{ source: `${PROJECT_FILE}: env`, env: project.file.env }] : [];
    return [...file, ...(options.environmentTemplates?.(repoPath) ?? [])];
  }
}
