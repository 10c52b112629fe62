import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { refused } from '../errors';
import { logFailure, silentLog, type Logger } from '../log';
import type { PortBlock } from '../store/records';

/** Well above the ports dev servers, databases and debuggers usually take (3000, 5432, 8080, 9229, …). */
export const DEFAULT_PORT_BASE = 41000;
export const DEFAULT_BLOCK_SIZE = 10;
export const MIN_PORT_BASE = 1024;
export const MAX_PORT = 65535;
export const MAX_BLOCK_SIZE = 1000;

export interface PortSettings {
  readonly base: number;
  readonly blockSize: number;
}

/** One source's say on ports (user settings, a repository's project file); a field left out says nothing. */
export interface PortOverride {
  readonly base?: number;
  readonly blockSize?: number;
}

/**
 * The defaults, then each layer in turn (later layers win); a value that is
 * not a whole number in range is refused with a message naming it and its source.
 */
export function resolvePortSettings(layers: readonly (PortOverride & { readonly source?: string })[]): PortSettings {
  let base = DEFAULT_PORT_BASE;
  let blockSize = DEFAULT_BLOCK_SIZE;
  for (const layer of layers) {
    if (layer.base !== undefined) base = checked(layer.base, 'base', MIN_PORT_BASE, MAX_PORT, layer.source);
    if (layer.blockSize !== undefined) blockSize = checked(layer.blockSize, 'blockSize', 1, MAX_BLOCK_SIZE, layer.source);
  }
  if (base + blockSize - 1 > MAX_PORT) throw refused(`A block of ${blockSize} ports from ${base} goes past port ${MAX_PORT}; lower the ports base or block size.`);
  return { base, blockSize };
}

function checked(value: unknown, field: string, min: number, max: number, source = 'settings'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw refused(`ports.${field} in ${source} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}.`);
  }
  return value;
}

export function lastPort(block: PortBlock): number {
  return block.first + block.count - 1;
}

/** `41000-41009` (`41000` for a block of one). */
export function portRange(block: PortBlock): string {
  return block.count === 1 ? `${block.first}` : `${block.first}-${lastPort(block)}`;
}

/** Whether two blocks share a port. */
export function overlaps(a: PortBlock, b: PortBlock): boolean {
  return a.first <= lastPort(b) && b.first <= lastPort(a);
}

/** Whether nothing on this machine holds a port; asked of every port of a candidate block. */
export type PortProbe = (port: number) => Promise<boolean>;

/**
 * The first block `base + k × blockSize` that overlaps no block in `taken`
 * and whose every port `isFree` says is free. Refused when none fits below
 * port 65535.
 */
export async function allocatePortBlock(taken: readonly PortBlock[], settings: PortSettings, isFree: PortProbe): Promise<PortBlock> {
  const { base, blockSize } = settings;
  for (let first = base; first + blockSize - 1 <= MAX_PORT; first += blockSize) {
    const candidate = { first, count: blockSize };
    if (taken.some((block) => overlaps(block, candidate))) continue;
    if (await allFree(candidate, isFree)) return candidate;
  }
  throw refused(`No free block of ${blockSize} ports is left from port ${base}: other workspaces or programs hold them. Delete workspaces you no longer need, or change tmuxWorkspaces.ports.base.`);
}

async function allFree(block: PortBlock, isFree: PortProbe): Promise<boolean> {
  for (let port = block.first; port <= lastPort(block); port++) {
    if (!(await isFree(port))) return false;
  }
  return true;
}

/**
 * A probe for this machine: a port is taken when a TCP socket listens on it
 * (`/proc/net/tcp` and `tcp6`, read once per probe, where Linux has them) or
 * when listening on it at 127.0.0.1 fails.
 */
export async function machinePortProbe(log: Logger = silentLog): Promise<PortProbe> {
  const listening = await listeningPorts(log);
  return async (port) => !listening.has(port) && (await canListen(port, log));
}

/** TCP state 0A is LISTEN; the local address is `HEXADDR:HEXPORT`. */
export function parseProcNetTcp(text: string): number[] {
  const ports: number[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[3] !== '0A') continue;
    const port = Number.parseInt(fields[1].split(':').pop() ?? '', 16);
    if (!Number.isNaN(port)) ports.push(port);
  }
  return ports;
}

async function listeningPorts(log: Logger): Promise<Set<number>> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const port of parseProcNetTcp(await readFile(file, 'utf8'))) ports.add(port);
    } catch (error) {
      // Not Linux (macOS has no /proc): the listen probe alone answers.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logFailure(log, `reading ${file}`, 'debug')(error);
    }
  }
  return ports;
}

function canListen(port: number, log: Logger): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') log.debug(`probing port ${port}: ${error.message}`);
      resolve(false);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
