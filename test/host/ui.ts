// UI actions on the workbench, asked for by the suite running inside the
// extension host, which has no handle on the browser: it logs
// `TW_UI ui-action <json>` and the launcher's page performs the action with
// Playwright (scripts/host/ui-actions.mjs, wired in suite-page.mjs) and
// writes the result to <TW_SCREENSHOT_DIR>/ui-action.json, the way
// screenshots are requested (screenshot.ts). Only the code-server launcher
// has such a page: under @vscode/test-electron uiAvailable() is false.
//
// Every action fails on an error notification the workbench shows once it is
// done, naming it: the UI walk checks for them after every step.
//
// A window that runs extension tests refuses modal dialogs, so the walk opens
// a plain window (openWindow(): the same folder, the extension under
// development, no test runner; scripts/host/plain-window.mjs) and drives that
// one; screenshots and page queries then show it too, until closeWindow().
import type { UiAction, UiNotification, UiResult, UiTarget } from '../../scripts/host/ui-actions.mjs';
import { pageAnswer, screenshotPath } from './screenshot';

export type { UiNotification, UiTarget };

/** ui-actions.mjs's default action timeout, the time on top of it an answer may take, and plain-window.mjs's load timeout plus slack. */
const ACTION_MS = 10_000;
const SLACK_MS = 20_000;
const OPEN_WINDOW_MS = 90_000;

/** Whether the launcher's page answers UI actions (code-server, not test-electron). */
export function uiAvailable(): boolean {
  return screenshotPath('ui-action') !== undefined;
}

function listed(notifications: readonly UiNotification[]): string {
  return notifications.map((shown) => `\n  [${shown.severity}] ${shown.message}${shown.source ? ` (${shown.source})` : ''}`).join('');
}

/**
 * Performs one action in the workbench and resolves to the notifications it
 * shows afterwards. Throws what stood in the way (a target that never became
 * actionable), and when an error notification is shown.
 */
export async function ui(action: UiAction): Promise<UiNotification[]> {
  const png = screenshotPath('ui-action');
  if (!png) throw new Error('UI actions need the page of the code-server launcher (TW_SCREENSHOT_DIR is unset)');
  // Time for the launcher to answer: the action's own, and a window to load.
  const answerMs = action.do === 'open-window' ? OPEN_WINDOW_MS : ('timeout' in action && action.timeout ? action.timeout : ACTION_MS) + SLACK_MS;
  const result = await pageAnswer<UiResult>(`TW_UI ui-action ${JSON.stringify(action)}`, png.replace(/\.png$/, '.json'), answerMs);
  if (!result.ok) throw new Error(`${result.error}${listed(result.notifications)}`);
  const errors = result.notifications.filter((shown) => shown.severity === 'error');
  if (errors.length > 0) throw new Error(`the workbench shows an error notification after ${action.do}:${listed(errors)}`);
  return result.notifications;
}

/** A target by ARIA role and accessible name (whole name unless `exact: false`). */
export function byRole(role: string, name: string, options: { exact?: boolean; within?: UiTarget } = {}): UiTarget {
  return { role, name, ...options };
}

export const click = (target: UiTarget, options: { until?: UiTarget; timeout?: number } = {}) => ui({ do: 'click', target, ...options });
export const rightClick = (target: UiTarget) => ui({ do: 'click', target, button: 'right' });
export const hover = (target: UiTarget) => ui({ do: 'hover', target });
export const press = (key: string) => ui({ do: 'press', key });
export const typeText = (text: string, options: { thenPress?: string } = {}) => ui({ do: 'type', text, ...options });
export const waitFor = (target: UiTarget, options: { state?: 'visible' | 'hidden'; timeout?: number } = {}) => ui({ do: 'wait', target, ...options });
/** Fails on an error notification shown now (and names it). */
export const noErrorNotification = () => ui({ do: 'notifications' });
/** Opens the plain window; screenshots, page queries and UI actions go to it until closeWindow(). */
export const openWindow = () => ui({ do: 'open-window' });
export const closeWindow = () => ui({ do: 'close-window' });
