import { cp, lstat, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';

/** An entry of `.worktreeinclude` that was not copied, and why. */
export interface RefusedInclude {
  readonly entry: string;
  readonly reason: string;
}

export interface IncludeOutcome {
  /** The entries copied, as written in the listing (without a trailing `/`). */
  readonly copied: string[];
  readonly refused: RefusedInclude[];
  /** One line for the setup log, when there is something to say. */
  readonly note?: string;
}

const LISTING = '.worktreeinclude';

/** What lstat says about a path; `missing` when nothing is there. */
async function kindOf(path: string): Promise<'symlink' | 'present' | 'missing'> {
  try {
    return (await lstat(path)).isSymbolicLink() ? 'symlink' : 'present';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/**
 * Why `parts` below `root` may not be used: a symlinked component (which
 * could lead anywhere) or, with `mustExist`, nothing there at all.
 */
async function pathProblem(root: string, parts: readonly string[], mustExist: boolean): Promise<string | undefined> {
  let path = root;
  for (const part of parts) {
    path = join(path, part);
    const kind = await kindOf(path);
    if (kind === 'symlink') return `${relative(root, path)} is a symbolic link`;
    if (kind === 'missing') return mustExist ? 'not there' : undefined;
  }
  return undefined;
}

function describe(copied: readonly string[], refused: readonly RefusedInclude[]): string | undefined {
  const parts = [
    ...(copied.length > 0 ? [`copied ${copied.join(', ')}`] : []),
    ...refused.map((entry) => `did not copy ${entry.entry} (${entry.reason})`),
  ];
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * Copies what `.worktreeinclude` at the repository root lists (one path per
 * line, `#` comments) from the repository into a new worktree: gitignored
 * files such as `.env` that a fresh checkout lacks. Never overwrites, never
 * leaves either tree: an entry with `..`, an absolute path or a symbolic link
 * anywhere on its way (in the repository or in the worktree) is refused, and
 * links inside a copied folder are left out. In an untrusted workspace the
 * listing is somebody else's choice of files, so nothing is copied.
 */
export async function includeWorktreeFiles(repoPath: string, worktreePath: string, options: { trusted: boolean; extra?: readonly string[] }): Promise<IncludeOutcome> {
  if (!options.trusted) return { copied: [], refused: [], note: `${LISTING} not applied: the workspace is not trusted` };
  const repoRoot = await realpath(repoPath);
  const worktreeRoot = await realpath(worktreePath);
  const { lines, note } = await listingLines(repoRoot);
  const outcome = await copyEntries(repoRoot, worktreeRoot, [...lines, ...(options.extra ?? [])]);
  const said = [note, outcome.note].filter(Boolean).join('; ');
  return { ...outcome, ...(said ? { note: said } : {}) };
}

/** The lines of `.worktreeinclude`, none when it is missing; a symbolic link is not read (the note says so). */
async function listingLines(repoRoot: string): Promise<{ lines: string[]; note?: string }> {
  const listingKind = await kindOf(join(repoRoot, LISTING));
  if (listingKind === 'missing') return { lines: [] };
  if (listingKind === 'symlink') return { lines: [], note: `${LISTING} not applied: it is a symbolic link` };
  return { lines: (await readFile(join(repoRoot, LISTING), 'utf8')).split('\n') };
}

/** Copies each entry (the `.worktreeinclude` rules) that is there and not yet in the worktree. */
async function copyEntries(repoRoot: string, worktreeRoot: string, lines: readonly string[]): Promise<IncludeOutcome> {
  const copied: string[] = [];
  const refused: RefusedInclude[] = [];
  for (const line of lines) {
    const entry = line.trim().replace(/\/+$/, '');
    if (!entry || entry.startsWith('#')) continue;
    const parts = normalize(entry).split(sep).filter(Boolean);
    if (isAbsolute(entry) || parts.includes('..')) {
      refused.push({ entry, reason: 'outside the repository' });
      continue;
    }
    const sourceProblem = await pathProblem(repoRoot, parts, true);
    if (sourceProblem === 'not there') continue;
    const targetProblem = sourceProblem ? undefined : await pathProblem(worktreeRoot, parts, false);
    if (sourceProblem || targetProblem) {
      refused.push({ entry, reason: `${sourceProblem ? 'in the repository' : 'in the worktree'}: ${sourceProblem ?? targetProblem}` });
      continue;
    }
    const target = join(worktreeRoot, ...parts);
    if ((await kindOf(target)) !== 'missing') continue;
    await cp(join(repoRoot, ...parts), target, {
      recursive: true,
      force: false,
      errorOnExist: false,
      filter: async (source) => (await kindOf(source)) !== 'symlink',
    });
    copied.push(entry);
  }
  return { copied, refused, note: describe(copied, refused) };
}
