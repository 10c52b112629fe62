import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { refused } from '../errors';
import type { AgentDefinition } from '../agents/catalog';
import { checkVariable } from './envTemplates';

/** The team's file at a repository's root. */
export const PROJECT_FILE = '.tmux-workspaces.json';

/** One setup or teardown step: a shell command line, run by `/bin/sh -c` in the worktree. */
export interface ProjectStep {
  /** What the setup log, the events and the progress call it (the command itself when the file gives no name). */
  readonly name: string;
  readonly run: string;
}

export interface ProjectPorts {
  readonly base?: number;
  readonly blockSize?: number;
}

/** The file's content, validated. */
export interface ProjectFile {
  readonly setup: readonly ProjectStep[];
  readonly teardown: readonly ProjectStep[];
  /** More paths to copy into a new worktree, beside `.worktreeinclude` (same rules). */
  readonly include: readonly string[];
  /** Variable name to template (`app-{name}`); the templating is the environment's business. */
  readonly env: Readonly<Record<string, string>>;
  readonly ports?: ProjectPorts;
  /** Extra agents, or ones that replace a built-in (or a setting's) with the same id. */
  readonly agents: readonly AgentDefinition[];
}

/** A repository's file as read: its path, its exact text's hash (what an approval is for) and its content. */
export interface LoadedProject {
  readonly path: string;
  readonly hash: string;
  readonly file: ProjectFile;
}

const FIELDS = ['$schema', 'setup', 'teardown', 'include', 'env', 'ports', 'agents'];

/** Thrown with the field's path: `.tmux-workspaces.json: setup[2].run must be a string`. */
function bad(field: string, problem: string): never {
  throw refused(`${PROJECT_FILE}: ${field} ${problem}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  const extra = Object.keys(value).find((key) => !allowed.includes(key));
  if (extra !== undefined) bad(field ? `${field}.${extra}` : extra, `is not a known field (known: ${allowed.filter((k) => k !== '$schema').join(', ')})`);
}

function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string') bad(field, 'must be a string');
  if (value.trim() === '') bad(field, 'must not be empty');
  return value;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) bad(field, 'must be an array of strings');
  return value.map((item, i) => nonEmptyString(item, `${field}[${i}]`));
}

function steps(value: unknown, field: string): ProjectStep[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) bad(field, 'must be an array of steps');
  const result = value.map((item: unknown, i): ProjectStep => {
    const at = `${field}[${i}]`;
    if (typeof item === 'string') return { name: nonEmptyString(item, at), run: item };
    if (!isObject(item)) bad(at, 'must be a command string or an object with "run"');
    onlyKeys(item, at, ['name', 'run']);
    const run = nonEmptyString(item.run, `${at}.run`);
    return { name: item.name === undefined ? run : nonEmptyString(item.name, `${at}.name`), run };
  });
  // Retry Setup resumes by a step's name and command, and the log and progress call a step by its name: each its own.
  const names = result.map((step) => step.name);
  const twice = names.findIndex((name, i) => names.indexOf(name) !== i);
  if (twice >= 0) bad(`${field}[${twice}]`, `has the same name as an earlier step ("${names[twice]}"); give each step its own "name"`);
  return result;
}

function environment(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) bad('env', 'must be an object of variable names to strings');
  // Names and template syntax now, so Create refuses a bad one before anything exists. Port offsets
  // wait for Create: the block's size may come from the user's settings.
  for (const [name, template] of Object.entries(value)) checkVariable(name, template, `${PROJECT_FILE}: env.${name}`);
  return value as Record<string, string>;
}

function port(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) bad(field, `must be a whole number from ${min} to ${max}`);
  return value;
}

function ports(value: unknown): ProjectPorts | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) bad('ports', 'must be an object with "base" and/or "blockSize"');
  onlyKeys(value, 'ports', ['base', 'blockSize']);
  const base = port(value.base, 'ports.base', 1024, 65535);
  const blockSize = port(value.blockSize, 'ports.blockSize', 1, 1000);
  return { ...(base !== undefined ? { base } : {}), ...(blockSize !== undefined ? { blockSize } : {}) };
}

function agent(value: unknown, at: string): AgentDefinition {
  if (!isObject(value)) bad(at, 'must be an object with "id" and "command"');
  onlyKeys(value, at, ['id', 'label', 'command', 'args', 'env', 'resumeArgs']);
  const id = nonEmptyString(value.id, `${at}.id`);
  const command = nonEmptyString(value.command, `${at}.command`);
  const resumeArgs = value.resumeArgs === undefined ? undefined : stringList(value.resumeArgs, `${at}.resumeArgs`);
  if (resumeArgs && !resumeArgs.some((arg) => arg.includes('{id}'))) bad(`${at}.resumeArgs`, 'needs "{id}" where the conversation id goes');
  return {
    id,
    label: value.label === undefined ? id : nonEmptyString(value.label, `${at}.label`),
    command,
    args: value.args === undefined ? [] : stringList(value.args, `${at}.args`),
    env: value.env === undefined ? [] : stringList(value.env, `${at}.env`),
    ...(resumeArgs ? { resumeArgs } : {}),
  };
}

function agents(value: unknown): AgentDefinition[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) bad('agents', 'must be an array of agent definitions');
  return value.map((item: unknown, i) => agent(item, `agents[${i}]`));
}

/** The file's text validated, or a refusal naming the first bad field. */
export function parseProjectFile(text: string): ProjectFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw refused(`${PROJECT_FILE}: is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(raw)) bad('the top level', 'must be an object');
  onlyKeys(raw, '', FIELDS);
  const portsField = ports(raw.ports);
  return {
    setup: steps(raw.setup, 'setup'),
    teardown: steps(raw.teardown, 'teardown'),
    include: raw.include === undefined ? [] : stringList(raw.include, 'include'),
    env: environment(raw.env),
    ...(portsField ? { ports: portsField } : {}),
    agents: agents(raw.agents),
  };
}

/** The repository's project file, or undefined when it has none; refused when it is a link or is not valid. */
export async function loadProjectFile(repoPath: string): Promise<LoadedProject | undefined> {
  const path = join(repoPath, PROJECT_FILE);
  try {
    if ((await lstat(path)).isSymbolicLink()) throw refused(`${PROJECT_FILE}: is a symbolic link; it must be a file in the repository.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const text = await readFile(path, 'utf8');
  return { path, hash: createHash('sha256').update(text).digest('hex'), file: parseProjectFile(text) };
}

/**
 * The agents a repository's project file offers. None while the editor does
 * not trust the workspace (their commands are whoever committed the file's);
 * `blockedByTrust` says some were held back. A bad file is refused, naming the field.
 */
export async function projectAgents(repoPath: string, trusted: boolean): Promise<{ agents: readonly AgentDefinition[]; blockedByTrust: boolean }> {
  const agents = (await loadProjectFile(repoPath))?.file.agents ?? [];
  return trusted ? { agents, blockedByTrust: false } : { agents: [], blockedByTrust: agents.length > 0 };
}
