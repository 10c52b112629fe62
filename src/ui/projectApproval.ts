import type { ProjectApproval } from '../core/project/projectGate';
import type { ProjectStep } from '../core/project/projectFile';

/** The approval dialog's buttons: running is never the default an Enter picks by accident, so it names what it does. */
export const RUN = 'Run These Commands';
export const DONT_RUN = "Don't Run";

function listed(steps: readonly ProjectStep[]): string[] {
  return steps.map((step, i) => (step.name === step.run ? `  ${i + 1}. ${step.run}` : `  ${i + 1}. ${step.name}: ${step.run}`));
}

/** The modal's message and detail: every command of the file, exactly as it will run. */
export function approvalDialog(request: ProjectApproval): { message: string; detail: string } {
  const message = request.reason === 'changed'
    ? 'The commands in this repository\'s .tmux-workspaces.json changed. Run them?'
    : 'This repository\'s .tmux-workspaces.json wants to run commands. Run them?';
  const parts = [`${request.file} is code from whoever committed it. Its commands run in your shell, as you.`];
  if (request.setup.length > 0) parts.push('', 'Setup (runs in each new worktree):', ...listed(request.setup));
  if (request.teardown.length > 0) parts.push('', 'Teardown (runs before Delete or Archive):', ...listed(request.teardown));
  parts.push('', `"${RUN}" remembers this approval until the file changes. "${DONT_RUN}" skips them (the workspace is still usable; Retry Setup asks again).`);
  return { message, detail: parts.join('\n') };
}

/** Asks with a modal; only the Run button approves (Escape and Cancel do not). */
export async function askToRunProjectCommands(
  confirm: (message: string, detail: string, ...actions: string[]) => Promise<string | undefined>,
  request: ProjectApproval,
): Promise<boolean> {
  const { message, detail } = approvalDialog(request);
  return (await confirm(message, detail, RUN, DONT_RUN)) === RUN;
}
