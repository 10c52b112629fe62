import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Creates `path` readable by the user alone (0700). The chmod also tightens a
 * folder that existed already or that the umask widened: these folders hold
 * handoff files, prompts, status reports and setup logs.
 */
export async function privateFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}

/**
 * Removes the files in `folder` whose launch id (the name up to its first
 * `.`) belongs to no recorded session, and that `matches` (default: all).
 * A folder that does not exist has none.
 */
export async function sweepFilesOfEndedLaunches(folder: string, liveLaunchIds: ReadonlySet<string>, matches: (name: string) => boolean = () => true): Promise<void> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const ended = names.filter((name) => matches(name) && !liveLaunchIds.has(name.split('.', 1)[0]));
  await Promise.all(ended.map((name) => rm(join(folder, name), { force: true })));
}
