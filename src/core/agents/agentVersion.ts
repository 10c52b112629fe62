import { execa } from 'execa';
import { logFailure, type Logger } from '../log';
import { resolveCommand } from './catalog';

/** `2.0.45 (Claude Code)` → `[2, 0, 45]`; nothing for what is not a version. */
export function parseVersion(text: string): number[] | undefined {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  return match ? match.slice(1).map(Number) : undefined;
}

/** Whether `version` is `since` or later; an unknown version counts as new enough. */
export function atLeast(version: readonly number[] | undefined, since: string): boolean {
  const wanted = parseVersion(since);
  if (!version || !wanted) return true;
  for (let index = 0; index < 3; index++) {
    if (version[index] !== wanted[index]) return version[index] > wanted[index];
  }
  return true;
}

/** The installed version of a command (`<command> --version`), or nothing when it is not found or says none. */
export async function installedVersion(command: string, log: Logger, pathVariable = process.env.PATH ?? ''): Promise<number[] | undefined> {
  const resolved = await resolveCommand(command, pathVariable).catch(logFailure(log, `finding ${command}`, 'debug'));
  if (!resolved) return undefined;
  const result = await execa(resolved, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' });
  if (result.failed) log.debug(`[agents] ${command} --version failed: ${result.shortMessage ?? ''}`);
  return parseVersion(`${result.stdout}`);
}
