// One workbench window of a code-server run: a browser page that opens the
// folder with the extension under development and a mocha suite in its URL
// payload, relays the extension host's console, answers the suite's
// screenshot and page-query requests (test/host/screenshot.ts) and UI actions
// (test/host/ui.ts, performed by ui-actions.mjs), and reports the suite's exit
// code. The requests are answered from this page, or, between the UI
// actions open-window and close-window, from the plain window the suite opened
// (plain-window.mjs).
import { join } from 'node:path';
import { format } from 'node:util';
import { openPlainWindow, requestTarget, workbenchUrl } from './plain-window.mjs';
import { answerUiRequest, parseUiRequest, performUiAction } from './ui-actions.mjs';
import { writeWhole } from './write-whole.mjs';

const SCREENSHOT_REQUEST = /TW_SCREENSHOT ([\w-]+)/;
const PAGE_QUERY = /TW_QUERY ([\w-]+) (.+)$/;

/**
 * Opens one window in `context` (pages of one browser context share the
 * workbench's storage, so their extension hosts share one globalState).
 *
 * @param {import('playwright-core').BrowserContext} context
 * @param {{ url: string, remoteAuthority: string }} server  from startCodeServer()
 * @param {object} options
 * @param {string} options.folder       folder the window opens
 * @param {string} options.developmentPath  the extension under development
 * @param {string} options.testsPath    the suite's index.js (exports run())
 * @param {string} options.artifacts    where screenshots and query answers go
 * @param {string} [options.tag]        prefix for this window's console lines
 * @param {boolean} [options.plainWindow]  open the plain window (for the UI walk) right after this one,
 *   so that it loads while the suite starts; otherwise it opens when the suite asks
 * @returns {Promise<{ page: import('playwright-core').Page, outcome: Promise<number | string> }>}
 *   `outcome` is the suite's exit code, or why there is none (the page crashed).
 */
export async function openSuitePage(context, server, { folder, developmentPath, testsPath, artifacts, tag, plainWindow = false }) {
  const page = await context.newPage();
  const prefix = tag ? `[${tag}] ` : '';
  const log = (message) => console.log(`${prefix}[test:host] ${message}`);

  // Screenshots, page queries and UI actions are answered one at a time, in the order they were requested,
  // from this page or, while it is open, the plain window.
  let requests = Promise.resolve();
  const openPlain = () => openPlainWindow(context, server, { folder, developmentPath, log: (line) => console.error(`${prefix}${line}`) });
  let early;
  const openWindow = () => {
    const opening = early ?? openPlain();
    early = undefined;
    return opening;
  };
  const target = requestTarget(page, openWindow, performUiAction);
  const capture = async (name) => {
    const path = join(artifacts, `${name}.png`);
    try {
      writeWhole(path, await target.page.screenshot());
      log(`screenshot ${path}`);
    } catch (error) {
      // The suite times out waiting for the PNG and reports the failure.
      console.error(`${prefix}[test:host] screenshot ${name} failed: ${error.message}`);
    }
  };
  // The elements a CSS selector matches, as JSON, for queryPage() (same protocol).
  const answerQuery = async (name, selector) => {
    const path = join(artifacts, `${name}.json`);
    try {
      const elements = await target.page.$$eval(selector, (found) =>
        found.map((element) => ({
          label: element.getAttribute('aria-label'),
          level: element.getAttribute('aria-level'),
          expanded: element.getAttribute('aria-expanded'),
          text: element.textContent,
        })),
      );
      writeWhole(path, JSON.stringify(elements));
    } catch (error) {
      console.error(`${prefix}[test:host] query ${name} failed: ${error.message}`);
    }
  };
  // The workbench calls codeAutomationLog(level, args) for its own log and
  // for the extension host's console; args are console.log's (printf-style).
  await page.exposeFunction('codeAutomationLog', (level, args) => {
    const line = Array.isArray(args) ? format(...args) : String(args);
    if (level === 'error' || level === 'warn') console.error(`${prefix}${line}`);
    else console.log(`${prefix}${line}`);
    const request = SCREENSHOT_REQUEST.exec(line);
    if (request) requests = requests.then(() => capture(request[1]));
    const query = PAGE_QUERY.exec(line);
    if (query) requests = requests.then(() => answerQuery(query[1], query[2]));
    const ui = parseUiRequest(line);
    if (ui) requests = requests.then(() => answerUiRequest(ui, artifacts, target.perform, (message) => console.error(`${prefix}${message}`)));
  });
  let reportExit;
  const suiteExit = new Promise((resolve) => (reportExit = resolve));
  await page.exposeFunction('codeAutomationExit', (code) => reportExit(code));
  const crashed = new Promise((resolve) => page.on('crash', () => resolve('the page crashed')));

  log(`opening ${server.url} on ${folder} with ${testsPath}`);
  const url = workbenchUrl(server, folder, [['extensionDevelopmentPath', developmentPath], ['extensionTestsPath', testsPath]]);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  if (plainWindow) {
    early = openPlain();
    // Reported here too: a walk that never asks for the window would not see it fail.
    early.catch((error) => console.error(`${prefix}[test:host] opening the plain window failed: ${error.message}`));
  }
  return { page, outcome: Promise.race([suiteExit, crashed]) };
}
