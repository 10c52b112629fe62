import { chmod, mkdir } from 'node:fs/promises';

/**
 * Creates `path` readable by the user alone (0700). The chmod also tightens a
 * folder that existed already or that the umask widened: these folders hold
 * handoff files, prompts, status reports and setup logs.
 */
export async function privateFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}
