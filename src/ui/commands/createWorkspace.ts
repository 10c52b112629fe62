import { basename } from 'node:path';
import type { WorkspaceRecord } from '../../core/store/records';
import { WorkspaceError, errorMessage, failed, refused } from '../../core/errors';
import { logFailure } from '../../core/log';
import type { CommandContext } from '../host';
import { terminalTitle } from '../words';
import { ActionFailure, Cancelled, answered, type Remedy } from './failures';
import { withSetupProgress } from './setupProgress';
import { typedBranchPick, type BranchPick } from './typedPicks';

/**
 * Create Workspace: pick the repository, then a new branch (typed into the
 * picker, or into an input box after New branch…, validated as you type) or
 * an existing local or remote one; the base branch is the
 * repository's default branch. The same repository and branch again reveals
 * the workspace that exists. Resolves to the workspace; throws `Cancelled`
 * when the user backs out, and a failure naming the branch otherwise.
 */
export async function createWorkspace(context: CommandContext, options: { attach: boolean }): Promise<WorkspaceRecord> {
  const { host, lifecycle } = context;
  const title = 'Create Workspace';
  const repoPath = await pickRepository(context, title);
  const choices = await lifecycle.branchChoices(repoPath);
  const workspaces = (await lifecycle.listWorkspaces()).filter((view) => view.record.repoPath === choices.repoPath);
  const workspaceFor = (branch: string) => workspaces.find((view) => view.record.branch === branch.trim());
  const picks: BranchPick[] = [{ label: '$(add) New branch…', description: `from ${choices.defaultBranch}`, source: 'new' }];
  if (choices.local.length > 0) picks.push({ label: 'Local branches', kind: 'separator' }, ...choices.local.map((branch) => ({ label: `$(git-branch) ${branch}`, branch, source: 'existing' as const })));
  if (choices.remote.length > 0) picks.push({ label: 'Remote branches', kind: 'separator' }, ...choices.remote.map((branch) => ({ label: `$(cloud) ${branch}`, branch, source: 'existing' as const })));
  if (workspaces.length > 0) {
    picks.push({ label: 'Existing workspaces', kind: 'separator' }, ...workspaces.map((view) => ({ label: `$(terminal-tmux) ${view.record.branch}`, description: 'show workspace', branch: view.record.branch, source: 'existing' as const })));
  }
  const listed = [...choices.local, ...choices.remote, ...workspaces.map((view) => view.record.branch)];
  const known = { defaultBranch: choices.defaultBranch, listed, taken: [choices.defaultBranch] };
  const picked = answered(await host.pick(picks, {
    title: `${title} in ${basename(choices.repoPath)}`,
    placeHolder: 'A new branch, or an existing one to check out',
    typedItem: (value) => typedBranchPick(value, known),
  }));
  if (!picked.source) throw new Cancelled();

  let branch = picked.branch;
  if (picked.source === 'new' && !picked.branch) {
    branch = answered(await host.input({
      title: `${title}: new branch from ${choices.defaultBranch}`,
      prompt: 'Name of the new branch',
      value: context.settings.branchPrefix(),
      // A branch that already has a workspace is accepted: creating it again reveals that workspace.
      validate: (value) => (workspaceFor(value) ? undefined : lifecycle.newBranchProblem(choices.repoPath, value)),
    }));
  }
  branch = branch?.trim();
  if (!branch) throw new Cancelled();

  const existing = workspaceFor(branch);
  if (existing) {
    await revealInTree(context, existing.record.id);
    void host.info(`Workspace "${branch}" already exists.`);
    return existing.record;
  }

  const setup = context.settings.setupCommand(choices.repoPath);
  if (setup.blockedByTrust) {
    void host.warn('The setup command from this workspace\'s settings did not run: the workspace is not trusted. Trust it, then use Retry Setup.');
  }
  try {
    const ours = (record: WorkspaceRecord) => record.repoPath === choices.repoPath && record.branch === branch;
    const record = await withSetupProgress(context, `Creating workspace ${branch}`, ours, (signal) =>
      lifecycle.createWorkspace({ repoPath: choices.repoPath, branch: branch!, source: picked.source, base: choices.defaultBranch, setupCommand: setup.command, signal }),
    );
    await afterSetup(context, record, options.attach);
    return record;
  } catch (error) {
    throw await setupFailure(context, choices.repoPath, branch, error);
  }
}

/** After a setup that ended `ready` (Create, or Retry Setup): reveal the row and, when asked, attach the base terminal. */
async function afterSetup(context: CommandContext, record: WorkspaceRecord, attach: boolean): Promise<void> {
  const { host, lifecycle } = context;
  await revealInTree(context, record.id);
  if (attach && record.status === 'ready' && (await lifecycle.tmuxAvailable())) {
    const target = await lifecycle.attachTarget({ workspaceId: record.id });
    host.attachTerminal({ tmuxName: target.tmuxName, title: terminalTitle(record.branch), argv: target.argv, cwd: record.worktreePath });
  }
}

/**
 * Retry Setup of a failed workspace, from its row or from a failure's button:
 * on success it behaves like Create (reveal, attach when attachOnLaunch is on)
 * and says the workspace is ready; on failure it throws like Create.
 */
export async function runRetrySetup(context: CommandContext, record: WorkspaceRecord): Promise<void> {
  await setupAgain(context, record, {
    progress: `Retrying setup of ${record.branch}`,
    action: `Retry setup of "${record.branch}"`,
    done: 'is ready',
    run: (setupCommand, signal) => context.lifecycle.retrySetup(record.id, { setupCommand, signal }),
  });
}

/** Restore of an archived workspace: setup runs again, and a failure offers Retry Setup like any other. */
export async function runRestore(context: CommandContext, record: WorkspaceRecord): Promise<void> {
  await setupAgain(context, record, {
    progress: `Restoring workspace ${record.branch}`,
    action: `Restore workspace "${record.branch}"`,
    done: 'is restored and ready',
    run: (setupCommand, signal) => context.lifecycle.restoreWorkspace(record.id, { setupCommand, signal }),
  });
}

/** Runs setup of an existing record again with the configured setup command; a failure offers its log and Retry Setup. */
async function setupAgain(
  context: CommandContext,
  record: WorkspaceRecord,
  how: { progress: string; action: string; done: string; run: (setupCommand: string | undefined, signal: AbortSignal) => Promise<WorkspaceRecord> },
): Promise<void> {
  const setup = context.settings.setupCommand(record.repoPath);
  if (setup.blockedByTrust) void context.host.warn('The setup command from this workspace\'s settings did not run: the workspace is not trusted.');
  try {
    const ready = await withSetupProgress(context, how.progress, (known) => known.id === record.id, (signal) => how.run(setup.command, signal));
    await afterSetup(context, ready, context.settings.attachOnLaunch());
    void context.host.info(`Workspace "${ready.branch}" ${how.done}.`);
  } catch (error) {
    throw await setupFailure(context, record.repoPath, record.branch, error, how.action);
  }
}

/**
 * Shows the workspace in the tree. Only a courtesy: a reveal that fails (the
 * editor lost the row in a redraw) is logged and the work after it goes on.
 */
async function revealInTree(context: CommandContext, workspaceId: string): Promise<void> {
  await context.host.reveal(workspaceId).catch(logFailure(context.log, `Showing workspace ${workspaceId} in the tree`));
}

async function pickRepository(context: CommandContext, title: string): Promise<string> {
  const repositories = await context.repositories.repositories();
  if (repositories.length === 0) {
    throw refused('No git repository is open. Open a folder that is a git repository, or list one in the "tmuxWorkspaces.repositories" setting.');
  }
  if (repositories.length === 1) return repositories[0];
  const picked = await context.host.pick(
    repositories.map((path) => ({ label: basename(path), description: path, path })),
    { title, placeHolder: 'Pick the repository' },
  );
  return answered(picked).path;
}

/**
 * The failure to throw when creating or retrying setup failed. A failed setup
 * leaves an `error` workspace: it is revealed, and the failure offers its
 * setup log and a retry right away.
 */
export async function setupFailure(context: CommandContext, repoPath: string, branch: string, error: unknown, action = `Create workspace "${branch}"`): Promise<ActionFailure> {
  const failedView = (await context.lifecycle.listWorkspaces()).find(
    (view) => view.record.repoPath === repoPath && view.record.branch === branch && view.record.status === 'error',
  );
  if (!failedView || (error instanceof WorkspaceError && error.kind === 'refused')) return new ActionFailure(action, error, branch);
  const { record } = failedView;
  await revealInTree(context, record.id);
  const remedies: Remedy[] = [];
  const setupLog = record.setupLog;
  if (setupLog) remedies.push({ label: 'Show Setup Log', run: () => context.host.openFile(setupLog) });
  remedies.push({ label: 'Retry Setup', run: () => runRetrySetup(context, record) });
  return new ActionFailure(`Workspace "${branch}"`, failed(record.lastError ?? errorMessage(error)), branch, remedies);
}
