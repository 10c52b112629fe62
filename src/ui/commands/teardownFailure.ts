import { WorkspaceError } from '../../core/errors';
import type { DeletePreview } from '../../core/lifecycle/types';
import type { CommandContext } from '../host';
import { ActionFailure, Cancelled, type Remedy } from './failures';

/** What the teardown remedy needs of a guarded delete or archive. */
export interface TeardownAsk {
  readonly action: string;
  readonly branch: string;
  readonly verb: string;
  readonly doing: string;
  readonly removes: string;
  /** What is at risk now (asked again: the failed attempt changed nothing, but time passed). */
  readonly refresh: () => Promise<DeletePreview>;
  /** The workspace's setup log, where the teardown's output went. */
  readonly setupLog: () => string | undefined;
  /** The at-risk lines of a preview, as the Delete Anyway dialog lists them. */
  readonly riskLines: (preview: DeletePreview) => string[];
  readonly run: (options: { force: boolean; expected?: DeletePreview }) => Promise<unknown>;
}

/** Whether a delete or archive stopped because its teardown failed (or timed out). */
export function isTeardownFailure(error: unknown): boolean {
  return error instanceof WorkspaceError && error.details?.stage === 'teardown';
}

/**
 * The failure to show when a teardown stopped a delete or archive: nothing
 * was removed; it offers the setup log (the teardown's output) and `<verb>
 * Without Teardown`, which says in its own modal that the failure is ignored.
 */
export function teardownFailure(context: CommandContext, ask: TeardownAsk, error: unknown): ActionFailure {
  const remedies: Remedy[] = [];
  const log = ask.setupLog();
  if (log) remedies.push({ label: 'Show Setup Log', run: () => context.host.openFile(log) });
  remedies.push({ label: `${ask.verb} Without Teardown`, run: () => forceWithoutTeardown(context, ask) });
  return new ActionFailure(`${ask.action} (nothing was removed)`, error, ask.branch, remedies);
}

async function forceWithoutTeardown(context: CommandContext, ask: TeardownAsk): Promise<void> {
  const preview = await ask.refresh();
  const anyway = `${ask.verb} Anyway`;
  const detail = [
    ...ask.riskLines(preview),
    `The teardown steps failed. ${ask.doing} anyway ignores that failure: whatever they should have stopped (a database, a container, a tunnel) may keep running.`,
    `It removes ${ask.removes}. This cannot be undone.`,
  ].join('\n');
  const choice = await context.host.confirm(`${ask.verb} workspace "${ask.branch}" without a clean teardown?`, detail, anyway);
  if (choice !== anyway) throw new Cancelled();
  await ask.run({ force: true, expected: preview });
}
