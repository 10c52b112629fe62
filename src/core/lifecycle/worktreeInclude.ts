import { cp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';

/**
 * Copies what `.worktreeinclude` at the repository root lists (one path per
 * line, `#` comments) from the repository into a new worktree: gitignored
 * files such as `.env` that a fresh checkout lacks. Never overwrites, never
 * leaves the repository. Resolves to the paths it copied.
 */
export async function copyWorktreeIncludes(repoPath: string, worktreePath: string): Promise<string[]> {
  let listing: string;
  try {
    listing = await readFile(join(repoPath, '.worktreeinclude'), 'utf8');
  } catch {
    return [];
  }
  const copied: string[] = [];
  for (const line of listing.split('\n')) {
    const entry = line.trim();
    if (!entry || entry.startsWith('#')) continue;
    const relative = normalize(entry).replace(/\/+$/, '');
    if (isAbsolute(relative) || relative.startsWith('..')) continue;
    const source = join(repoPath, relative);
    const target = join(worktreePath, relative);
    if (!existsSync(source) || existsSync(target)) continue;
    await cp(source, target, { recursive: true, force: false, errorOnExist: false });
    copied.push(relative);
  }
  return copied;
}
