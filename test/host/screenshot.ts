// Screenshots of the workbench, requested from the suite running inside the
// extension host. The host is a Node process with no handle on the browser
// page, so it asks the launcher (scripts/host/run-host-tests.mjs) to take one:
//
//   1. Under code-server the launcher sets TW_SCREENSHOT_DIR (its artifacts/
//      folder) in code-server's environment; the extension host inherits it.
//      Under @vscode/test-electron it is unset and screenshot() does nothing.
//   2. The suite removes <dir>/<name>.png and logs `TW_SCREENSHOT <name>`.
//      The workbench forwards the host's console to the page's
//      codeAutomationLog hook, which the launcher exposed.
//   3. The launcher captures the page into <name>.png.partial and renames it
//      to <name>.png, so the PNG appears only once it is complete.
//   4. The suite polls until <name>.png exists. Host and launcher share the
//      file system.
//
// queryPage(name, selector) works the same way with `TW_QUERY <name> <selector>`:
// the launcher writes the matching elements (aria-label, aria-level,
// aria-expanded, text) to <dir>/<name>.json, which the suite reads and removes.
// It lets the suite check what the workbench really renders (the tree's rows,
// a terminal's text). UI actions (ui.ts) use the same request.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const TIMEOUT_MS = 30_000;
// Cheap (a stat): the UI walk makes some fifty requests, each waiting for its answer.
const POLL_MS = 25;

/** Where screenshot(name) writes, or undefined where screenshots are not supported. */
export function screenshotPath(name: string): string | undefined {
  if (!/^[\w-]+$/.test(name)) throw new Error(`screenshot name must match [A-Za-z0-9_-]+: ${name}`);
  const dir = process.env.TW_SCREENSHOT_DIR;
  return dir ? join(dir, `${name}.png`) : undefined;
}

/** Captures the workbench into artifacts/<name>.png; a no-op under test-electron. */
export async function screenshot(name: string): Promise<void> {
  const path = screenshotPath(name);
  if (!path) return;
  await pageRequest(`TW_SCREENSHOT ${name}`, path);
}

/** One element of the workbench page, as queryPage() reports it. */
export interface PageElement {
  readonly label: string | null;
  readonly level: string | null;
  /** `true`, `false`, or null for an element that cannot expand. */
  readonly expanded: string | null;
  readonly text: string | null;
}

/** The elements of the workbench page that `selector` matches; undefined under test-electron. */
export async function queryPage(name: string, selector: string): Promise<PageElement[] | undefined> {
  const png = screenshotPath(name);
  if (!png) return undefined;
  return pageAnswer<PageElement[]>(`TW_QUERY ${name} ${selector}`, png.replace(/\.png$/, '.json'));
}

/** Requests `line` and reads the JSON answer the launcher writes to `path` (then removes it). */
export async function pageAnswer<T>(line: string, path: string, timeoutMs = TIMEOUT_MS): Promise<T> {
  await pageRequest(line, path, timeoutMs);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } finally {
    rmSync(path, { force: true });
  }
}

/** Logs a request line for the launcher and waits until it has written `path`. */
async function pageRequest(line: string, path: string, timeoutMs = TIMEOUT_MS): Promise<void> {
  rmSync(path, { force: true });
  console.log(line);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`nothing at ${path} after ${timeoutMs / 1000} s (request: ${line})`);
    await sleep(POLL_MS);
  }
}
