import { refused, WorkspaceError } from '../../core/errors';
import type { UpdateOutcome } from '../../core/git/Landing';
import type { MergeOutcome } from '../../core/lifecycle/types';
import { andList } from '../../core/prose';
import type { WorkspaceRecord } from '../../core/store/records';
import type { CommandContext } from '../host';
import { count } from '../words';
import { deleteWorkspace } from './deleteWorkspace';
import { ActionFailure, Cancelled, answered, during } from './failures';
import { resolveWorkspace, type CommandTarget } from './targets';

const DELETE_WORKSPACE = 'Delete Workspace';

/** Runs a landing step with progress, failures named by `action` and the workspace. */
function landing<T>(context: CommandContext, record: WorkspaceRecord, action: string, body: () => Promise<T>): Promise<T> {
  return during(action, () => context.host.withProgress(`${action}…`, body), record.branch);
}

/** Commit All: refuses an empty change set before asking for a message; stages everything, untracked files too. */
export async function commitAll(context: CommandContext, target: CommandTarget): Promise<void> {
  const view = await resolveWorkspace(context, target, 'Commit All', ['ready']);
  if (!view) return;
  const { record } = view;
  const action = `Commit all in "${record.branch}"`;
  const changes = await during(action, () => context.lifecycle.worktreeChanges(record.id), record.branch);
  if (!changes?.dirty) throw new ActionFailure(action, refused(`"${record.branch}" has nothing to commit: no uncommitted or untracked files.`), record.branch);
  const message = answered(
    await context.host.input({
      title: `Commit all changes in ${record.branch}`,
      prompt: 'The commit message (every change is staged, untracked files too)',
      validate: (value) => (value.trim() === '' ? 'A commit needs a message.' : undefined),
      multiline: true,
    }),
  );
  const result = await landing(context, record, action, () => context.lifecycle.commitAll(record.id, message));
  void context.host.info(`Committed ${count(result.files, 'file')} in "${record.branch}" (${result.commit.slice(0, 8)}).`);
}

/** Push: the first push sets the upstream. */
export async function push(context: CommandContext, target: CommandTarget): Promise<void> {
  const view = await resolveWorkspace(context, target, 'Push', ['ready']);
  if (!view) return;
  const { record } = view;
  const result = await landing(context, record, `Push "${record.branch}"`, () => context.lifecycle.push(record.id));
  void context.host.info(`Pushed "${record.branch}" to ${result.upstream}${result.setUpstream ? ' (now its upstream)' : ''}.`);
}

/** A refusal over uncommitted work in the workspace, offered Commit All as its way out. */
function withCommitRemedy(context: CommandContext, record: WorkspaceRecord, action: string): (error: unknown) => never {
  return (error) => {
    const uncommitted = error instanceof WorkspaceError && Array.isArray(error.details?.uncommitted);
    throw new ActionFailure(action, error, record.branch, uncommitted ? [{ label: 'Commit All…', run: () => commitAll(context, record.id) }] : []);
  };
}

function mergedWords(record: WorkspaceRecord, outcome: MergeOutcome): string {
  if (outcome.kind === 'already-merged') return `"${record.branch}" is already in "${outcome.base}".`;
  const where = outcome.checkout ? ` in ${outcome.checkout}` : ' (the branch moved; no worktree has it checked out)';
  return `Merged "${record.branch}" into "${outcome.base}"${outcome.fastForward ? ' as a fast-forward' : ' with a merge commit'}${where}.`;
}

/**
 * Merge into base: asks first, then the lifecycle's dry run and checks (a
 * refusal over uncommitted work offers Commit All); once merged, offers
 * Delete Workspace, which finds nothing unpushed now.
 */
export async function mergeIntoBase(context: CommandContext, target: CommandTarget): Promise<MergeOutcome | undefined> {
  const view = await resolveWorkspace(context, target, 'Merge into Base', ['ready']);
  if (!view) return undefined;
  const { record } = view;
  const choice = await context.host.confirm(
    `Merge "${record.branch}" into "${record.baseBranch}"?`,
    `A dry run looks for conflicts first and stops if there are any. "${record.baseBranch}" is merged where it is checked out (a fast-forward when possible, else a merge commit); uncommitted changes on either side stop it.`,
    'Merge',
  );
  if (choice !== 'Merge') throw new Cancelled();
  const action = `Merge "${record.branch}" into ${record.baseBranch}`;
  const outcome = await context.host.withProgress(`${action}…`, () => context.lifecycle.mergeIntoBase(record.id)).catch(withCommitRemedy(context, record, action));
  const next = await context.host.info(`${mergedWords(record, outcome)} Delete the workspace now?`, DELETE_WORKSPACE);
  if (next === DELETE_WORKSPACE) await deleteWorkspace(context, record.id);
  return outcome;
}

function updatedWords(record: WorkspaceRecord, outcome: UpdateOutcome): string {
  if (outcome.kind === 'up-to-date') return `"${record.branch}" already has everything in "${record.baseBranch}".`;
  if (outcome.kind === 'updated') return `Updated "${record.branch}" from "${record.baseBranch}".`;
  const op = outcome.operation;
  return `Updating "${record.branch}" from "${record.baseBranch}" stopped on conflicts in ${andList([...outcome.files])}. The ${op} is left in ${record.worktreePath}: resolve the files, "git add" them and run "git ${op} --continue", or "git ${op} --abort" to go back.`;
}

/** Update from base: merges or rebases the base into the workspace (`tmuxWorkspaces.updateStrategy`); a conflict is a warning that says what to do. */
export async function updateFromBase(context: CommandContext, target: CommandTarget): Promise<UpdateOutcome | undefined> {
  const view = await resolveWorkspace(context, target, 'Update from Base', ['ready']);
  if (!view) return undefined;
  const { record } = view;
  const strategy = context.settings.updateStrategy();
  const action = `Update "${record.branch}" from ${record.baseBranch}`;
  const outcome = await context.host.withProgress(`${action} (${strategy})…`, () => context.lifecycle.updateFromBase(record.id, strategy)).catch(withCommitRemedy(context, record, action));
  if (outcome.kind === 'conflicts') void context.host.warn(updatedWords(record, outcome));
  else void context.host.info(updatedWords(record, outcome));
  return outcome;
}

const OPEN = 'Open';

/**
 * Create Pull Request: the lifecycle pushes and uses gh when it is logged in;
 * otherwise the GitHub Pull Requests extension takes over when installed,
 * else the host's compare page opens in the browser.
 */
export async function createPullRequest(context: CommandContext, target: CommandTarget): Promise<void> {
  const view = await resolveWorkspace(context, target, 'Create Pull Request', ['ready']);
  if (!view) return;
  const { record } = view;
  const outcome = await landing(context, record, `Create a pull request for "${record.branch}"`, () => context.lifecycle.createPullRequest(record.id));
  if (outcome.kind === 'created') {
    if ((await context.host.info(`Created the pull request for "${record.branch}": ${outcome.url}`, OPEN)) === OPEN) await context.host.openExternal(outcome.url);
    return;
  }
  if (await context.host.createPullRequestInExtension()) return;
  if (!outcome.compareUrl) throw new ActionFailure(`Create a pull request for "${record.branch}"`, refused(`"${record.branch}" is pushed, but its remote is not a web host this extension knows, and neither gh nor the GitHub Pull Requests extension is installed.`), record.branch);
  await context.host.openExternal(outcome.compareUrl);
}
