import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { errorMessage } from '../errors';
import type { Logger } from '../log';

/** What a tmux process asking our socket meets. */
export type ServerState = 'up' | 'none' | 'exiting';

/** How long a server may answer "server exited unexpectedly" before it counts as stuck: exiting takes milliseconds. */
const STUCK_AFTER_MS = 1_000;
/** How long a killed server may take to let go of its socket. */
const KILLED_WITHIN_MS = 5_000;
const POLL_MS = 50;

const pause = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));

/** Whether `pid` is a tmux process now (the server's pid may have been reused since it was learned). */
async function isTmuxProcess(pid: number, log: Logger): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim().startsWith('tmux');
  } catch (error) {
    // No /proc here (macOS), or no such process: ps answers both.
    log.debug(`[TmuxClient] /proc/${pid}/comm: ${errorMessage(error)}; asking ps`);
    const result = await execa('ps', ['-o', 'comm=', '-p', String(pid)], { reject: false });
    return result.exitCode === 0 && /(^|\/)tmux/.test(String(result.stdout).trim());
  }
}

/**
 * A server that keeps refusing clients with "server exited unexpectedly" is
 * exiting. tmux 3.3a never finishes while a control client that stopped
 * reading (a window process frozen or killed mid-notification) is still
 * connected; its sessions are already gone, but no new server can start on
 * the socket. Such a server, stuck for over a second, is ended by its pid
 * (learned while it was up). Resolves to whether a new server can start now.
 */
export async function endStuckServer(pid: number | undefined, state: () => Promise<ServerState>, log: Logger): Promise<boolean> {
  const deadline = Date.now() + STUCK_AFTER_MS;
  while ((await state()) === 'exiting') {
    if (Date.now() < deadline) {
      await pause();
      continue;
    }
    if (pid === undefined || !(await isTmuxProcess(pid, log))) {
      log.warn(`[TmuxClient] the tmux server has been exiting for over ${STUCK_AFTER_MS} ms and its pid is not known (${pid ?? 'never learned'}); end it by hand (kill-server does not)`);
      return false;
    }
    log.warn(`[TmuxClient] tmux server ${pid} has been exiting for over ${STUCK_AFTER_MS} ms (a control client that stopped reading is still connected); ending it, its sessions are already gone`);
    process.kill(pid, 'SIGKILL');
    const killed = Date.now() + KILLED_WITHIN_MS;
    while ((await state()) === 'exiting' && Date.now() < killed) await pause();
    return (await state()) !== 'exiting';
  }
  return true;
}
