// Workbench URLs, and the plain window the UI walk drives: a second window of
// the same code-server (and browser context, so the same globalState) on the
// same folder, with the extension under development and no test runner. In a
// window that runs extension tests the workbench refuses modal dialogs
// ("DialogService: refused to show dialog in tests"), and the walk answers
// them as a person does.
import { pathToFileURL } from 'node:url';

const READY_TIMEOUT_MS = 60_000;

/** The workbench's URL on `folder`, with `payload` entries such as `extensionDevelopmentPath` (local paths). */
export function workbenchUrl(server, folder, payload) {
  const remote = (path) => `vscode-remote://${server.remoteAuthority}${pathToFileURL(path).pathname}`;
  const query = new URLSearchParams({ folder, payload: JSON.stringify(payload.map(([key, path]) => [key, remote(path)])) });
  return `${server.url}?${query}`;
}

/**
 * Opens the plain window and resolves with its page once the workbench shows
 * the extension's activity-bar item. Its console's errors go to `log`.
 *
 * @param {import('playwright-core').BrowserContext} context
 * @param {{ url: string, remoteAuthority: string }} server
 * @param {{ folder: string, developmentPath: string, log: (line: string) => void }} options
 */
export async function openPlainWindow(context, server, { folder, developmentPath, log }) {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') log(`[plain window] ${message.text()}`);
  });
  await page.goto(workbenchUrl(server, folder, [['extensionDevelopmentPath', developmentPath]]), { waitUntil: 'domcontentloaded' });
  await page.getByRole('tab', { name: 'Tmux Workspaces', exact: true }).waitFor({ timeout: READY_TIMEOUT_MS });
  return page;
}

/**
 * Where a suite's screenshots, page queries and UI actions are answered from:
 * `page` (its own window), or the plain window between the UI actions
 * open-window and close-window. `perform(action)` performs a UI action there
 * (and those two itself).
 *
 * @param {import('playwright-core').Page} page
 * @param {() => Promise<import('playwright-core').Page>} openWindow  opens the plain window
 * @param {(page: import('playwright-core').Page, action: object) => Promise<object>} performOn  performUiAction
 */
export function requestTarget(page, openWindow, performOn) {
  let plain;
  return {
    get page() {
      return plain ?? page;
    },
    async perform(action) {
      if (action.do === 'open-window') {
        if (plain) return { ok: false, error: 'open-window: the plain window is open already', notifications: [] };
        plain = await openWindow();
        return performOn(plain, { do: 'notifications' });
      }
      if (action.do === 'close-window') {
        await plain?.close();
        plain = undefined;
        return { ok: true, notifications: [] };
      }
      return performOn(plain ?? page, action);
    },
  };
}
