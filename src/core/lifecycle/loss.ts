import { refused } from '../errors';
import { andList } from '../prose';
import type { WorkspaceRecord } from '../store/records';
import type { DeletePreview } from './types';

/** What a delete would lose, in words: "2 uncommitted or untracked files and 1 unpushed commit". Empty when nothing. */
export function describeLoss(preview: DeletePreview): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts: string[] = [];
  if (preview.dirtyFiles.length > 0) parts.push(count(preview.dirtyFiles.length, 'uncommitted or untracked file', 'uncommitted or untracked files'));
  if (preview.unpushedCommits.length > 0) parts.push(count(preview.unpushedCommits.length, 'unpushed commit', 'unpushed commits'));
  return andList(parts);
}

/** What `current` has at risk that `expected` did not list. */
export function beyond(current: DeletePreview, expected: DeletePreview): DeletePreview {
  const files = new Set(expected.dirtyFiles);
  const commits = new Set(expected.unpushedCommits);
  return {
    dirtyFiles: current.dirtyFiles.filter((file) => !files.has(file)),
    unpushedCommits: current.unpushedCommits.filter((commit) => !commits.has(commit)),
  };
}

/** How a transition that may lose work was asked for: without force it refuses any loss; forced with `expected`, any loss beyond that. */
export interface LossConsent {
  readonly force?: boolean;
  readonly expected?: DeletePreview;
}

/**
 * The guard of delete and archive: refuses (details: the preview) when the
 * worktree or branch holds what the user has not agreed to lose. `verb` is
 * what the message calls the transition ("delete", "archive").
 */
export async function refuseLoss(record: WorkspaceRecord, consent: LossConsent, preview: () => Promise<DeletePreview>, verb: string): Promise<void> {
  if (!consent.force) {
    const current = await preview();
    const loss = describeLoss(current);
    if (loss) throw refused(`Workspace "${record.branch}" has ${loss}; ${verb} it with force to discard them.`, { ...current });
  } else if (consent.expected) {
    // "Anyway" agreed to lose what the dialog listed, and nothing that appeared since.
    const current = await preview();
    const loss = describeLoss(beyond(current, consent.expected));
    if (loss) throw refused(`Workspace "${record.branch}" now has ${loss} more than you agreed to lose.`, { ...current });
  }
}
