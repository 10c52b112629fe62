// UI actions on a workbench page, asked for by the suite running inside the
// extension host (test/host/ui.ts): the host logs `TW_UI <name> <json>`, the
// launcher's page (suite-page.mjs) performs the action with Playwright and
// writes the result to <name>.json. Types: ui-actions.d.mts.
//
// Every target is found with a Playwright locator, strict (one match) and
// auto-waiting until it is actionable, so nothing here sleeps. After a click
// the pointer is parked on the activity bar's empty middle, as a person's hand
// moves on: the hover a click leaves would otherwise cover the next target
// and every screenshot.

import { join } from 'node:path';
import { writeWhole } from './write-whole.mjs';

const REQUEST = /TW_UI ([\w-]+) (\{.*\})$/;
const DEFAULT_TIMEOUT_MS = 10_000;
/** How long a click waits for its `until` target to hide before it clicks again. */
const UNTIL_POLL_MS = 500;
const SEVERITIES = ['error', 'warning', 'info'];

/** `{ name, action }` from a console line that is a UI request, `{ name, problem }` for one that cannot be read, else undefined. */
export function parseUiRequest(line) {
  const match = REQUEST.exec(line);
  if (!match) return undefined;
  try {
    return { name: match[1], action: JSON.parse(match[2]) };
  } catch (error) {
    return { name: match[1], problem: `unreadable UI request (${error.message}): ${match[2]}` };
  }
}

/** What a target looks like in messages: `menuitem "Delete Workspace…" in css .context-view`. */
export function describeTarget(target) {
  const own = target.css ? `css ${target.css}` : `${target.role} "${target.name}"`;
  return target.within ? `${own} in ${describeTarget(target.within)}` : own;
}

/** The locator for a target: by role and accessible name (exact unless told), or by CSS, inside `within`. */
function locate(page, target) {
  const scope = target.within ? locate(page, target.within) : page;
  if (target.css) return scope.locator(target.css);
  if (!target.role || typeof target.name !== 'string') throw new Error(`a target needs css, or role and name: ${JSON.stringify(target)}`);
  return scope.getByRole(target.role, { name: target.name, exact: target.exact ?? true });
}

/** The notification toasts the workbench shows now: severity (from the icon), message and source. */
export async function visibleNotifications(page) {
  return page.$$eval('.notifications-toasts .notification-list-item', (items, severities) =>
    items
      .filter((item) => item.checkVisibility())
      .map((item) => {
        const icon = item.querySelector('.notification-list-item-icon');
        const severity = severities.find((name) => icon?.classList.contains(`codicon-${name}`)) ?? 'unknown';
        const text = (selector) => item.querySelector(selector)?.textContent?.trim() ?? '';
        return { severity, message: text('.notification-list-item-message'), source: text('.notification-list-item-source') };
      }),
  SEVERITIES);
}

async function parkPointer(page) {
  const bar = await page.locator('.activitybar').boundingBox();
  if (bar) await page.mouse.move(bar.x + 1, bar.y + bar.height / 2);
}

/** Clicks; with `until`, clicks again (a widget that ignored the first) until that target is hidden. */
async function click(page, action, timeout) {
  const options = { button: action.button ?? 'left', timeout };
  const deadline = Date.now() + timeout;
  await locate(page, action.target).click(options);
  if (action.until) {
    const gone = locate(page, action.until);
    while (!(await gone.waitFor({ state: 'hidden', timeout: UNTIL_POLL_MS }).then(() => true, () => false))) {
      if (Date.now() > deadline) throw new Error(`${describeTarget(action.until)} still shown ${timeout / 1000} s after clicking ${describeTarget(action.target)}`);
      // Hidden meanwhile, or gone with the widget: then there is nothing left to click.
      if (!(await locate(page, action.target).isVisible())) continue;
      await locate(page, action.target).click(options);
    }
  }
  await parkPointer(page);
}

/** A Playwright error's first line and the last line of its call log (what stood in the way). */
function firstAndLast(message) {
  // eslint-disable-next-line no-control-regex -- the terminal colours in Playwright's call log
  const lines = message.replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.length > 2 ? `${lines[0]} (last: ${lines.at(-1)})` : lines.join(' ');
}

async function perform(page, action, timeout) {
  switch (action.do) {
    case 'click':
      return click(page, action, timeout);
    case 'hover':
      return locate(page, action.target).hover({ timeout });
    case 'press':
      return page.keyboard.press(action.key);
    case 'type':
      await page.keyboard.type(action.text);
      // Right after the last key, as a fast typist presses Enter: before the editor has caught up.
      if (action.thenPress) await page.keyboard.press(action.thenPress);
      return undefined;
    case 'wait':
      return locate(page, action.target).waitFor({ state: action.state ?? 'visible', timeout });
    case 'notifications':
      return undefined;
    default:
      throw new Error(`unknown UI action ${JSON.stringify(action.do)}`);
  }
}

/**
 * Performs one action and reports `{ ok, error?, notifications }`: what went
 * wrong (a target that never became actionable, within the action's timeout),
 * and the notifications shown once it is done. Never throws.
 */
export async function performUiAction(page, action) {
  if (typeof action !== 'object' || action === null) return { ok: false, error: `not a UI action: ${JSON.stringify(action)}`, notifications: [] };
  const timeout = action.timeout ?? DEFAULT_TIMEOUT_MS;
  let error;
  try {
    await perform(page, action, timeout);
  } catch (failure) {
    error = `${action.do}${action.target ? ` ${describeTarget(action.target)}` : ''}: ${firstAndLast(failure.message)}`;
  }
  const notifications = await visibleNotifications(page).catch((failure) => {
    error ??= `reading the notifications: ${failure.message}`;
    return [];
  });
  return error === undefined ? { ok: true, notifications } : { ok: false, error, notifications };
}

/**
 * Answers a request from parseUiRequest(): `performAction(action)` (usually
 * performUiAction on a page) and writes the result whole to
 * `<dir>/<name>.json`, where the suite polls for it. Resolves to the result;
 * never throws (a failure is logged, and the suite times out waiting).
 */
export async function answerUiRequest({ name, action, problem }, dir, performAction, log = console.error) {
  const result = problem
    ? { ok: false, error: problem, notifications: [] }
    : await performAction(action).catch((error) => ({ ok: false, error: `${action.do}: ${error.message}`, notifications: [] }));
  if (!result.ok) log(`[test:host] UI action ${name} failed: ${result.error}`);
  const path = join(dir, `${name}.json`);
  try {
    writeWhole(path, JSON.stringify(result));
  } catch (error) {
    log(`[test:host] answering UI action ${name} failed: ${error.message}`);
  }
  return result;
}
