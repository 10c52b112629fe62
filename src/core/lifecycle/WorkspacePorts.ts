import type { WorkspaceRecord } from '../store/records';
import { requireWorkspace, type LifecycleContext } from './context';
import { allocatePortBlock, machinePortProbe, portRange, resolvePortSettings } from './portBlocks';
import { workspaceEnvironment } from './workspaceEnvironment';

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
    const { store, options, log } = this.context;
    const record = requireWorkspace(store, workspaceId);
    if (record.ports) return record;
    const settings = resolvePortSettings(options.ports?.(record.repoPath) ?? []);
    const taken = store.workspaces().flatMap((other) => (other.id !== workspaceId && other.ports ? [other.ports] : []));
    const block = await allocatePortBlock(taken, settings, await machinePortProbe(log));
    const updated = (await store.update(workspaceId, { ports: block })) ?? record;
    log.info(`workspace ${workspaceId} holds ports ${portRange(block)}`);
    this.context.changed(workspaceId);
    return updated;
  }

  /** The variables for the workspace's panes and setup: built-in ones and those templated by the layers for its repository. */
  environment(record: WorkspaceRecord): Record<string, string> {
    return workspaceEnvironment(record, this.context.options.environmentTemplates?.(record.repoPath) ?? []);
  }
}
