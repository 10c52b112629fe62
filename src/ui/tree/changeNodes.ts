import { posix } from 'node:path';
import type { ChangedFile, FileChangeKind, WorktreeChangeSet } from '../../core/git/WorktreeChanges';
import type { NodeBase, NodeIcon } from './nodes';
import { count } from '../words';

/** A workspace's changes against its base: collapsed, its files under it. */
export interface ChangesNode extends NodeBase {
  readonly kind: 'changes';
  readonly workspaceId: string;
  /** The commit the left sides of the diffs show. */
  readonly baseCommit: string;
  readonly baseBranch: string;
  readonly worktreePath: string;
  readonly files: readonly ChangedFileNode[];
}

/** One changed file: a click opens its diff (base ↔ worktree). */
export interface ChangedFileNode extends NodeBase {
  readonly kind: 'changedFile';
  readonly workspaceId: string;
  readonly file: ChangedFile;
  readonly baseCommit: string;
  readonly worktreePath: string;
}

const LOOKS: Record<FileChangeKind, { readonly letter: string; readonly words: string; readonly icon: NodeIcon }> = {
  added: { letter: 'A', words: 'added', icon: { id: 'diff-added', color: 'gitDecoration.addedResourceForeground' } },
  modified: { letter: 'M', words: 'modified', icon: { id: 'diff-modified', color: 'gitDecoration.modifiedResourceForeground' } },
  deleted: { letter: 'D', words: 'deleted', icon: { id: 'diff-removed', color: 'gitDecoration.deletedResourceForeground' } },
  renamed: { letter: 'R', words: 'renamed', icon: { id: 'diff-renamed', color: 'gitDecoration.renamedResourceForeground' } },
  untracked: { letter: 'U', words: 'untracked (not added to git yet)', icon: { id: 'diff-added', color: 'gitDecoration.untrackedResourceForeground' } },
};

/** The Changes row of a ready workspace with changes, or undefined when it has none (or they are not counted yet). */
export function changesNode(workspaceId: string, baseBranch: string, worktreePath: string, changes: WorktreeChangeSet | undefined): ChangesNode | undefined {
  if (!changes || changes.files.length === 0) return undefined;
  const files = changes.files.map((file) => fileNode(workspaceId, worktreePath, changes.baseCommit, file));
  return {
    kind: 'changes',
    id: `changes:${workspaceId}`,
    workspaceId,
    label: 'Changes',
    description: count(files.length, 'file'),
    tooltip: `Committed on the branch since it left **${baseBranch}** (merge base \`${changes.baseCommit.slice(0, 8)}\`), plus what is not committed yet. Click a file for its diff; **Open All Changes** shows them together.`,
    icon: { id: 'diff-multiple' },
    contextValue: 'changes',
    baseCommit: changes.baseCommit,
    baseBranch,
    worktreePath,
    files,
  };
}

function fileNode(workspaceId: string, worktreePath: string, baseCommit: string, file: ChangedFile): ChangedFileNode {
  const look = LOOKS[file.kind];
  const folder = posix.dirname(file.path);
  const lines = file.binary ? 'binary' : file.added + file.removed > 0 ? `+${file.added} −${file.removed}` : undefined;
  const tooltip = [`\`${file.path}\` — ${look.words}`];
  if (file.oldPath) tooltip.push(`from \`${file.oldPath}\``);
  if (lines) tooltip.push(lines);
  return {
    kind: 'changedFile',
    id: `change:${workspaceId}:${file.path}`,
    workspaceId,
    label: posix.basename(file.path),
    description: [folder === '.' ? undefined : folder, look.letter].filter(Boolean).join(' · '),
    tooltip: tooltip.join('\n\n'),
    icon: look.icon,
    contextValue: `changedFile+${file.kind}`,
    file,
    baseCommit,
    worktreePath,
  };
}
