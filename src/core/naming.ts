import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Every tmux session this extension creates is named `tw-…`; nothing else is ever reaped. */
export const SESSION_PREFIX = 'tw-';
export const WATCHER_SESSION = `${SESSION_PREFIX}watcher`;

export function randomId(bytes = 3): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * Lower-case ASCII letters, digits and dashes only: safe in a tmux session name
 * (no `.` or `:`, which tmux rewrites) and in a shell command a user copies.
 * Text with nothing usable left (all unicode, say) falls back to a short hash.
 */
export function tmuxSlug(text: string, maxLength = 24): string {
  const slug = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
  return slug || createHash('sha1').update(text).digest('hex').slice(0, 8);
}

/** A folder name for a branch: `/` would nest folders, the rest of a valid ref name is safe. */
export function branchFolderName(branch: string): string {
  return branch.replace(/\//g, '-');
}

/**
 * Random bits in a workspace id: branches such as `dependabot/npm_and_yarn/…`
 * share their whole 24-character slug, so the suffix alone keeps ids apart.
 */
const WORKSPACE_ID_BYTES = 5;

/** How many ids are drawn before giving up; with 40 random bits a second draw is already rare. */
const WORKSPACE_ID_ATTEMPTS = 8;

/** A new workspace id for `branch`, never one `taken` says is in use. */
export function newWorkspaceId(branch: string, taken: (id: string) => boolean = () => false): string {
  for (let attempt = 0; attempt < WORKSPACE_ID_ATTEMPTS; attempt++) {
    const id = `${tmuxSlug(branch)}-${randomId(WORKSPACE_ID_BYTES)}`;
    if (!taken(id)) return id;
  }
  throw new Error(`Could not find a free workspace id for branch "${branch}" in ${WORKSPACE_ID_ATTEMPTS} attempts.`);
}

export function baseSessionName(workspaceId: string): string {
  return `${SESSION_PREFIX}${workspaceId}-base`;
}

export function runtimeSessionName(workspaceId: string, label: string): string {
  return `${SESSION_PREFIX}${workspaceId}-${tmuxSlug(label, 16)}-${randomId(2)}`;
}

export function isOurSessionName(name: string): boolean {
  return name.startsWith(SESSION_PREFIX) && name !== WATCHER_SESSION;
}

/** `<repo>.worktrees/<branch>` beside the repository, or under a configured root. */
export function defaultWorktreePath(repoPath: string, branch: string, worktreeRoot?: string): string {
  const root = worktreeRoot ? join(worktreeRoot, basename(repoPath)) : join(dirname(repoPath), `${basename(repoPath)}.worktrees`);
  return join(root, branchFolderName(branch));
}

/**
 * The checks git's `check-ref-format --branch` would make, done before any
 * process runs so the message can say exactly what is wrong. git is still
 * asked afterwards; these only give friendlier words.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'A branch name is required.';
  if (name.startsWith('-')) return 'A branch name cannot start with "-".';
  if (/\s/.test(name)) return 'A branch name cannot contain spaces.';
  if (name.includes('..')) return 'A branch name cannot contain "..".';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what git refuses
  if (/[~^:?*[\\\x00-\x1f\x7f]/.test(name)) return 'A branch name cannot contain ~ ^ : ? * [ \\ or control characters.';
  if (name.includes('@{') || name === '@') return 'A branch name cannot contain "@{" or be "@".';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'A branch name cannot start or end with "/" or contain "//".';
  if (name.endsWith('.') || name.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock')))
    return 'No part of a branch name can start with "." or end with ".lock", and it cannot end with ".".';
  return undefined;
}
