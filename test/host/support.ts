// Helpers for the in-editor suite: the extension's API, its private tmux
// server as a user at another terminal would see it, scratch repositories and
// waiting for conditions without fixed sleeps.
import { basename } from 'node:path';
import { execa } from 'execa';
import * as vscode from 'vscode';
import type { SessionView, TmuxWorkspacesApi, WorkspaceView } from '../../src/api';
import { DEFAULT_TMUX_COMMAND } from '../../src/core/tmux/TmuxClient';

export { makeRepo, git } from '../helpers/gitRepo';
export { eventually } from '../helpers/poll';
export { waitForEvent } from '../../src/core/events';

export const EXTENSION_ID = 'tmux-workspaces.tmux-workspaces';

/** The extension under development, activated; resolves to what `activate()` returned. */
export async function extensionApi(): Promise<{ extension: vscode.Extension<TmuxWorkspacesApi>; api: TmuxWorkspacesApi }> {
  const extension = vscode.extensions.getExtension<TmuxWorkspacesApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
  const api = await extension.activate();
  return { extension, api };
}

/**
 * The launcher (scripts/host/run-host-tests.mjs) gives the editor a fresh
 * TMUX_TMPDIR named tw-host-tmux-*. Without it the suite would start and kill
 * sessions on the user's own `tmux -L tmux-workspaces` server, so it refuses to run.
 */
export function requirePrivateTmux(): string {
  const dir = process.env.TMUX_TMPDIR;
  if (!dir || !basename(dir).startsWith('tw-host-tmux-')) {
    throw new Error(`TMUX_TMPDIR is ${dir ? `${dir}, not the launcher's` : 'unset'}: run the suite with \`npm run test:host\`, which gives it a private tmux server`);
  }
  return dir;
}

export interface TmuxResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs tmux on the extension's server (same command, same TMUX_TMPDIR), never failing on a non-zero exit. */
export async function tmux(...args: string[]): Promise<TmuxResult> {
  const env = { ...process.env };
  delete env.TMUX;
  const [file, ...prefix] = DEFAULT_TMUX_COMMAND;
  const result = await execa(file, [...prefix, ...args], { env, extendEnv: false, reject: false, stdin: 'ignore' });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export async function tmuxHasSession(name: string): Promise<boolean> {
  return (await tmux('has-session', '-t', `=${name}`)).exitCode === 0;
}

/** The pids of the clients attached to a session; none when it (or the server) is gone. */
export async function tmuxClientPids(name: string): Promise<number[]> {
  const result = await tmux('list-clients', '-t', `=${name}`, '-F', '#{client_pid}');
  if (result.exitCode !== 0) return [];
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

export async function workspaceView(api: TmuxWorkspacesApi, workspaceId: string): Promise<WorkspaceView | undefined> {
  return (await api.listWorkspaces()).find((view) => view.record.id === workspaceId);
}

export async function sessionView(api: TmuxWorkspacesApi, sessionKey: string): Promise<SessionView | undefined> {
  for (const view of await api.listWorkspaces()) {
    const session = view.sessions.find((candidate) => candidate.record.key === sessionKey);
    if (session) return session;
  }
  return undefined;
}

/** The open integrated terminal with this name (the attach terminals are named `<label> · <branch>`). */
export function terminalNamed(name: string): vscode.Terminal | undefined {
  return vscode.window.terminals.find((terminal) => terminal.name === name && terminal.exitStatus === undefined);
}

/** The error's kind when it is the extension's WorkspaceError (another bundle's class, so not `instanceof`). */
export function errorKind(error: unknown): string | undefined {
  const candidate = error as { name?: unknown; kind?: unknown } | undefined;
  return candidate?.name === 'WorkspaceError' && typeof candidate.kind === 'string' ? candidate.kind : undefined;
}
