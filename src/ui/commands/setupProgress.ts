import type { WorkspaceRecord } from '../../core/store/records';
import type { CommandContext } from '../host';
import { stageWords } from '../tree/setupHistory';

/**
 * Runs a setup (Create, Retry Setup, Restore) under cancellable progress in
 * the notification area that names the stage or step now running, read from
 * the workspace's setup events as they are written. Cancel stops the running
 * step: the workspace is left `error` and Retry Setup resumes at that step.
 */
export function withSetupProgress<T>(
  context: CommandContext,
  title: string,
  which: (record: WorkspaceRecord) => boolean,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return context.host.withCancellableProgress(title, (report, signal) => {
    let shown: string | undefined;
    const subscription = context.lifecycle.onDidChange((change) => {
      if (change.type !== 'workspace') return;
      const record = context.lifecycle.workspace(change.workspaceId);
      if (!record || !which(record)) return;
      const running = record.setupEvents.at(-1);
      if (running?.outcome !== 'started') return;
      const words = `${stageWords(running)}…`;
      if (words !== shown) report((shown = words));
    });
    return run(signal).finally(() => subscription.dispose());
  });
}
