// Where the two windows of the two-window suite meet. Each window is its own
// extension host (a Node process) with no channel to the other, but both
// inherit TW_BARRIER_DIR from code-server (set by scripts/host/run-host-tests.mjs)
// and share the file system:
//
//   meet(step, payload) writes <dir>/<step>.<role>.json (atomically: a
//   .partial file renamed) and polls, every few milliseconds, until every
//   window's file for that step exists; it resolves with all payloads by role.
//   So both windows leave a barrier within a poll interval of each other: the
//   step after it happens "at the same moment" in both.
//
//   A window whose suite fails writes <dir>/failed.<role> (fail()); a window
//   waiting at a barrier then throws at once instead of timing out.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROLES = ['A', 'B'] as const;
export type Role = (typeof ROLES)[number];

const POLL_MS = 5;
const TIMEOUT_MS = 30_000;

export class Barrier {
  constructor(private readonly dir: string, readonly role: Role) {}

  /** The barrier folder the launcher made; refuses to run without one. */
  static fromEnvironment(role: Role): Barrier {
    const dir = process.env.TW_BARRIER_DIR;
    if (!dir || !existsSync(dir)) throw new Error(`TW_BARRIER_DIR is ${dir ?? 'unset'}: run the two-window suite with \`npm run test:host\``);
    return new Barrier(dir, role);
  }

  /** Waits until every window has reached `step`; resolves with each window's payload. */
  async meet<T>(step: string, payload: T): Promise<Record<Role, T>> {
    if (!/^[\w-]+$/.test(step)) throw new Error(`barrier step must match [A-Za-z0-9_-]+: ${step}`);
    const path = (role: Role) => join(this.dir, `${step}.${role}.json`);
    writeFileSync(`${path(this.role)}.partial`, JSON.stringify({ payload }));
    renameSync(`${path(this.role)}.partial`, path(this.role));
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const failed = ROLES.filter((role) => role !== this.role && existsSync(join(this.dir, `failed.${role}`)));
      if (failed.length > 0) throw new Error(`window ${failed.join(', ')} failed before "${step}"`);
      if (ROLES.every((role) => existsSync(path(role)))) break;
      if (Date.now() > deadline) throw new Error(`window(s) ${ROLES.filter((role) => !existsSync(path(role))).join(', ')} did not reach "${step}" within ${TIMEOUT_MS / 1000} s`);
      await sleep(POLL_MS);
    }
    const all = {} as Record<Role, T>;
    for (const role of ROLES) all[role] = (JSON.parse(readFileSync(path(role), 'utf8')) as { payload: T }).payload;
    return all;
  }

  /** Tells the other window that this one failed, so it stops waiting. */
  fail(): void {
    writeFileSync(join(this.dir, `failed.${this.role}`), '');
  }
}
