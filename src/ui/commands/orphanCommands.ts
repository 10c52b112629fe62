import type { CommandContext, PickItem } from '../host';
import type { TreeNode } from '../tree/nodes';
import { Cancelled, answered, during } from './failures';
import { resolveWorkspace } from './targets';

/** An orphan from the tree, or a pick among the current orphans. */
async function resolveOrphan(context: CommandContext, target: TreeNode | string | undefined, title: string): Promise<string | undefined> {
  if (typeof target === 'string') return target;
  if (target?.kind === 'orphan') return target.tmuxName;
  const orphans = await context.lifecycle.listOrphans();
  if (orphans.length === 0) {
    void context.host.info('There are no orphaned sessions.');
    return undefined;
  }
  const picked = await context.host.pick<PickItem & { name: string }>(
    orphans.map((session) => ({ label: session.name, description: session.attachedClients > 0 ? 'attached' : undefined, name: session.name })),
    { title, placeHolder: 'Pick an orphaned session' },
  );
  return answered(picked).name;
}

export async function attachOrphan(context: CommandContext, target: TreeNode | string | undefined): Promise<void> {
  const name = await resolveOrphan(context, target, 'Attach to Orphaned Session');
  if (!name) return;
  await during('Attach', async () => {
    const attachTarget = await context.lifecycle.attachTarget({ orphan: name });
    context.host.attachTerminal({ tmuxName: name, title: name, argv: attachTarget.argv });
  });
}

/** Kill: the orphan's process ends; asked first, since it may be an agent's work in progress. */
export async function killOrphan(context: CommandContext, target: TreeNode | string | undefined): Promise<boolean> {
  const name = await resolveOrphan(context, target, 'Kill Orphaned Session');
  if (!name) return false;
  const choice = await context.host.confirm(`Kill orphaned session ${name}?`, 'Its process ends; anything it has not saved is lost.', 'Kill');
  if (choice !== 'Kill') throw new Cancelled();
  await during(`Kill ${name}`, () => context.lifecycle.killOrphan(name));
  return true;
}

/** Adopt into workspace: the session is recorded under a chosen ready workspace and shows in the tree there. */
export async function adoptOrphan(context: CommandContext, target: TreeNode | string | undefined): Promise<boolean> {
  const name = await resolveOrphan(context, target, 'Adopt Orphaned Session');
  if (!name) return false;
  const workspace = await resolveWorkspace(context, undefined, `Adopt ${name} into workspace`, ['ready']);
  if (!workspace) return false;
  await during(`Adopt ${name}`, () => context.lifecycle.adoptSession(name, workspace.record.id), workspace.record.branch);
  return true;
}
