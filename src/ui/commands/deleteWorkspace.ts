import { WorkspaceError } from '../../core/errors';
import { andList } from '../../core/prose';
import type { DeletePreview } from '../../core/lifecycle/types';
import type { WorkspaceStatus } from '../../core/store/records';
import type { CommandContext } from '../host';
import { count } from '../words';
import { Cancelled, during } from './failures';
import { isTeardownFailure, teardownFailure } from './teardownFailure';
import { resolveWorkspace, type CommandTarget } from './targets';

const SHOWN_FILES = 8;

/** The first few of `items` under a counted heading. */
function listed(items: readonly string[], one: string): string[] {
  if (items.length === 0) return [];
  const lines = [`${count(items.length, one)}:`, ...items.slice(0, SHOWN_FILES).map((item) => `  ${item}`)];
  if (items.length > SHOWN_FILES) lines.push(`  …and ${items.length - SHOWN_FILES} more`);
  return lines;
}

/** The lines of the Delete Anyway dialog: what is at risk (submodule entries carry their folder), then what goes. */
function atRiskLines(preview: DeletePreview, goes: string): string[] {
  return [...listed(preview.dirtyFiles, 'uncommitted or untracked file'), ...listed(preview.unpushedCommits, 'unpushed commit'), '', goes];
}

function hasRisk(preview: DeletePreview): boolean {
  return preview.dirtyFiles.length > 0 || preview.unpushedCommits.length > 0;
}

/** The preview a forced delete refused with because more was at risk than the dialog showed, else undefined. */
function newerPreview(error: unknown): DeletePreview | undefined {
  if (!(error instanceof WorkspaceError) || error.kind !== 'refused' || !error.details) return undefined;
  const { dirtyFiles, unpushedCommits } = error.details;
  return Array.isArray(dirtyFiles) && Array.isArray(unpushedCommits) ? { dirtyFiles, unpushedCommits } : undefined;
}

/**
 * Delete Workspace: a modal that says what goes (worktree, branch, sessions).
 * When the worktree has uncommitted or untracked files or unpushed commits
 * (its own, its HEAD's or a submodule's), it lists the first of them with a
 * count and offers Keep Workspace (the default, what Enter picks) and Delete
 * Anyway, which is the only way to the force path.
 * Delete Anyway hands the lifecycle the list it showed; if more is at risk by
 * then, the dialog is shown again with the new list. Resolves to whether it
 * deleted the workspace; answering Cancel throws `Cancelled`.
 */
export async function deleteWorkspace(
  context: CommandContext,
  target: CommandTarget,
  statuses: readonly WorkspaceStatus[] = ['ready', 'error', 'deletion_failed', 'archived', 'archive_failed'],
): Promise<boolean> {
  const { host, lifecycle } = context;
  const view = await resolveWorkspace(context, target, statuses.length === 1 && statuses[0] === 'deletion_failed' ? 'Retry Delete' : 'Delete Workspace', statuses);
  if (!view) return false;
  const { record } = view;
  const action = `Delete workspace "${record.branch}"`;
  const preview = await during(action, () => lifecycle.previewDelete(record.id), record.branch);
  const sessions = view.sessions.filter((session) => session.alive).length;
  // An archived workspace's worktree and base terminal are already gone.
  const archived = record.status === 'archived';
  const goes = [
    archived ? 'its record' : `the worktree folder ${record.worktreePath}`,
    record.createdBranch ? `the branch "${record.branch}"` : undefined,
    sessions > 0 ? count(sessions, 'running session') : undefined,
    archived ? undefined : 'the base terminal',
  ].filter((part): part is string => part !== undefined);
  const run = (options: { force: boolean; expected?: DeletePreview }) =>
    host.withProgress(`Deleting workspace ${record.branch}`, () => lifecycle.deleteWorkspace(record.id, options));
  const refresh = () => lifecycle.previewDelete(record.id);
  const setupLog = () => lifecycle.workspace(record.id)?.setupLog;
  await guardedRun(context, { action, branch: record.branch, preview, verb: 'Delete', doing: 'Deleting', removes: andList(goes), keep: 'Keep Workspace', run, refresh, setupLog });
  return true;
}

/** What a guarded transition (delete, archive) asks with: its words and its run. */
export interface GuardedRun {
  readonly action: string;
  readonly branch: string;
  readonly preview: DeletePreview;
  /** The button: `Delete`, `Archive`; the risky one is `<verb> Anyway`. */
  readonly verb: string;
  /** The same as the dialog's sentence begins it: `Deleting`, `Archiving`. */
  readonly doing: string;
  /** What the transition removes, in words. */
  readonly removes: string;
  /** The safe answer of the risky dialog, what Enter picks. */
  readonly keep: string;
  readonly run: (options: { force: boolean; expected?: DeletePreview }) => Promise<unknown>;
  /** What is at risk now, for the Without Teardown dialog after a teardown failed. */
  readonly refresh: () => Promise<DeletePreview>;
  readonly setupLog: () => string | undefined;
}

/** `ask.run`, a teardown failure turned into one that offers the setup log and going on without the teardown. */
function runOrTeardownFailure(context: CommandContext, ask: GuardedRun, options: { force: boolean; expected?: DeletePreview }): Promise<unknown> {
  return ask.run(options).catch((error: unknown) => {
    if (isTeardownFailure(error)) throw teardownFailure(context, { ...ask, riskLines: (preview) => (hasRisk(preview) ? atRiskLines(preview, '').slice(0, -1) : []) }, error);
    throw error;
  });
}

/**
 * The modal before a transition that may lose work: a plain confirm when
 * nothing is at risk; else the list with `keep` first (Enter) and `<verb>
 * Anyway`, which hands the lifecycle the list it showed and asks again when
 * more is at risk by then. Answering Cancel throws `Cancelled`.
 */
export async function guardedRun(context: CommandContext, ask: GuardedRun): Promise<void> {
  const { host } = context;
  let preview = ask.preview;
  if (!hasRisk(preview)) {
    const choice = await host.confirm(`${ask.verb} workspace "${ask.branch}"?`, `This removes ${ask.removes}.`, ask.verb);
    if (choice !== ask.verb) throw new Cancelled();
    await during(ask.action, () => runOrTeardownFailure(context, ask, { force: false }), ask.branch);
    return;
  }
  const anyway = `${ask.verb} Anyway`;
  for (;;) {
    // The first action is what Enter picks, and VS Code always puts its Cancel apart from the others, so the safe answer goes first.
    const pastTeardown = preview.teardown ? ', and goes on if the repository\'s teardown steps fail' : '';
    const goes = `${ask.doing} also removes ${ask.removes}${pastTeardown}. This cannot be undone.`;
    const choice = await host.confirm(`Workspace "${ask.branch}" has work that would be lost.`, atRiskLines(preview, goes).join('\n'), ask.keep, anyway);
    if (choice !== anyway) throw new Cancelled();
    const expected = preview;
    const outcome = await during(ask.action, () => ask.run({ force: true, expected }).then(() => undefined, (error: unknown) => {
      const newer = newerPreview(error);
      if (!newer) throw error;
      return newer;
    }), ask.branch);
    if (!outcome) return;
    context.log.info(`${ask.action}: more is at risk than the dialog showed; asking again`);
    preview = outcome;
  }
}
