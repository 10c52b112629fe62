import { normalizePrompt, promptProblem } from '../../core/agents/PromptDelivery';
import { branchNameProblem } from '../../core/naming';
import type { PickItem } from '../host';

/*
 * What the text typed into a quick pick becomes. The row's label is the typed
 * text itself: VS Code sorts the rows that match by label, an exact match
 * first, so Enter takes the typed row even when a longer branch starts with
 * the same text.
 */

/** The active row of a picker as the editor reports it: which item it shows, and whether it is the typed row. */
export interface ActiveRow<T> {
  readonly source: T;
  readonly typed: boolean;
}

/**
 * The item Enter accepts. The typed row is made by the extension after each
 * key, so Enter pressed right after the last key finds the editor still
 * showing the typed row for the text one key earlier (or none): a typed row
 * is therefore made again from the text as it is now. A listed row the user
 * moved to is taken as it is. Undefined when the text now names a listed row
 * the editor has not shown yet: the picker stays open on it for the next Enter.
 */
export function acceptedItem<T>(active: ActiveRow<T> | undefined, value: string, typedItem?: (value: string) => T | undefined): T | undefined {
  if (active && !active.typed) return active.source;
  return typedItem?.(value);
}

export interface BranchPick extends PickItem {
  readonly branch?: string;
  readonly source?: 'new' | 'existing';
}

/** The branches Create Workspace already knows about. */
export interface KnownBranches {
  readonly defaultBranch: string;
  /** Names the picker lists (local branches, remote refs, workspaces' branches): typing one picks that row. */
  readonly listed: readonly string[];
  /** Names that exist but are not listed (the default branch, branches other worktrees have checked out). */
  readonly taken: readonly string[];
}

/** The row for a typed branch name: a new branch from the default branch, with the reason when it cannot be one. */
export function typedBranchPick(value: string, known: KnownBranches): BranchPick | undefined {
  const name = value.trim();
  if (name === '' || known.listed.includes(name)) return undefined;
  const problem = known.taken.includes(name) ? `Branch "${name}" already exists and is checked out in another worktree.` : branchNameProblem(name);
  return { label: `$(add) ${name}`, description: `Create branch '${name}' from ${known.defaultBranch}`, branch: name, source: 'new', problem };
}

export interface PromptPick extends PickItem {
  readonly source: 'none' | 'type' | 'untitled' | 'typed';
  /** The prompt to send, for a typed one. */
  readonly text?: string;
}

/** The row for a first prompt typed into the picker, with the reason when it cannot be sent. */
export function typedPromptPick(value: string): PromptPick | undefined {
  if (value.trim() === '') return undefined;
  const text = normalizePrompt(value);
  return { label: `$(send) ${value.trim()}`, description: `Send '${value.trim()}' as the first prompt`, source: 'typed', text, problem: promptProblem(text) };
}
