// A stand-in coding agent for the tests of what goes into agents (first
// prompts, messages), and how to read what it received.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TmuxFixture } from './tmuxFixture';
import { eventually } from './poll';

/**
 * A stand-in coding agent: prints a banner, waits for a go file when given
 * one (an agent still starting up), then switches on bracketed paste and
 * appends whatever it is typed (through the tty, line by line) to a file.
 */
export const STAND_IN = `#!/bin/sh
received=$1
go=$2
echo "stand-in agent starting"
if [ -n "$go" ]; then
  while [ ! -e "$go" ]; do sleep 0.05; done
fi
printf '\\033[?2004h'
printf 'ready> '
exec cat >> "$received"
`;

export const PASTE_START = '\x1b[200~';

export function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** Types a marker line into the agent and waits until it arrives: whatever was pasted before it has arrived too. */
export async function typedAfterMarker(fixture: TmuxFixture, tmuxName: string, received: string): Promise<string> {
  await fixture.tmux('send-keys', '-t', `=${tmuxName}:`, 'marker-line', 'Enter');
  return eventually(async () => {
    const text = existsSync(received) ? await readFile(received, 'utf8') : '';
    return text.includes('marker-line') ? text : undefined;
  }, 5000, 'marker typed into the agent');
}
