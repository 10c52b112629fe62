import { stat } from 'node:fs/promises';
import { logFailure, type Logger } from '../log';
import type { TmuxClient } from '../tmux/TmuxClient';

/** After the paste, how long to wait for the agent to show it before pressing Enter. */
const ECHO_WAIT_MS = 2_000;
const POLL_MS = 50;

/**
 * Pastes `text` into a session's pane as one bracketed paste, then presses
 * Enter once the program has shown the paste (its piped output in
 * `outputFile` grew, or after two seconds), so Enter is not read as part of
 * the paste. The pane's output must already be piped to `outputFile`.
 */
export async function pasteThenEnter(
  tmux: TmuxClient,
  tmuxName: string,
  text: string,
  options: { readonly bufferName: string; readonly outputFile: string; readonly log: Logger; readonly stopped?: () => boolean },
): Promise<void> {
  const size = () => outputSize(options.outputFile, options.log);
  const before = await size();
  await tmux.paste(tmuxName, text, options.bufferName);
  const deadline = Date.now() + ECHO_WAIT_MS;
  while (Date.now() < deadline && !options.stopped?.()) {
    if ((await size()) > before) break;
    await delay(POLL_MS);
  }
  await tmux.sendEnter(tmuxName);
}

async function outputSize(file: string, log: Logger): Promise<number> {
  // No output file yet is no output yet.
  return (await stat(file).catch(logFailure(log, 'reading the pane output size', 'debug')))?.size ?? 0;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
