import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requestTarget } from '../../scripts/host/plain-window.mjs';
import { answerUiRequest, parseUiRequest, performUiAction } from '../../scripts/host/ui-actions.mjs';
import { byRole, click, hover, noErrorNotification, press, rightClick, typeText, ui, uiAvailable, waitFor } from '../host/ui';

// Both sides of the UI-action protocol the UI walk uses (test/host/ui.ts in
// the extension host, scripts/host/ui-actions.mjs in the launcher), joined
// the way suite-page.mjs joins them: the host's console lines are answered
// on a real chromium page. The page is a small stand-in for the workbench's
// parts the walk touches, with the same markup where the protocol reads it
// (notification toasts, the activity bar) and a menu item that, like VS
// Code's, ignores a click that comes too soon.
const PAGE = `
<style>
  body { margin: 0; font: 14px sans-serif; }
  .activitybar { position: fixed; left: 0; top: 0; width: 48px; height: 100%; background: #ddd; }
  main { margin-left: 60px; }
  .menu { border: 1px solid; width: 120px; }
</style>
<div class="activitybar" id="bar"></div>
<main>
  <input aria-label="Branch" id="branch">
  <div role="treeitem" aria-label="walk/first ">walk/first</div>
  <div id="menu" class="menu" role="menu" hidden><a role="menuitem" id="delete">Delete Workspace…</a></div>
  <div class="notifications-toasts" id="toasts">
    <div class="notification-list-item"><div class="notification-list-item-source">Tmux Workspaces</div>
      <div class="notification-list-item-icon codicon codicon-warning"></div><div class="notification-list-item-message"><span>Workspace "x" already exists.</span></div></div>
    <div class="notification-list-item" style="display: none"><div class="notification-list-item-icon codicon codicon-error"></div>
      <div class="notification-list-item-message">an error toast that was closed</div></div>
  </div>
</main>
<script>
  window.events = [];
  const branch = document.getElementById('branch');
  branch.addEventListener('keydown', (event) => { if (event.key === 'Enter') events.push('enter:' + branch.value); });
  document.querySelector('[role=treeitem]').addEventListener('contextmenu', (event) => {
    event.preventDefault();
    document.getElementById('menu').hidden = false;
  });
  // VS Code's menu items ignore clicks for a moment after the menu opens; this one ignores the first.
  let clicks = 0;
  document.getElementById('delete').addEventListener('click', () => {
    events.push('click ' + ++clicks);
    if (clicks > 1) document.getElementById('menu').hidden = true;
  });
  document.addEventListener('mouseover', (event) => { window.pointerOver = event.target.id; });
</script>`;

describe('UI actions for the UI walk (host side and launcher side, on a real chromium page)', function () {
  this.timeout(30_000);
  let browser: Browser;
  let page: Page;
  let dir: string;
  const originalLog = console.log;
  const saved = process.env.TW_SCREENSHOT_DIR;

  before(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });

  after(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tw-ui-actions-'));
    process.env.TW_SCREENSHOT_DIR = dir;
    page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    await page.setContent(PAGE);
    // What suite-page.mjs does with the extension host's console.
    console.log = (line: string, ...rest: unknown[]) => {
      const request = typeof line === 'string' ? parseUiRequest(line) : undefined;
      if (request) void answerUiRequest(request, dir, (action) => performUiAction(page, action), () => undefined);
      else originalLog(line, ...rest);
    };
  });

  afterEach(async () => {
    console.log = originalLog;
    if (saved === undefined) delete process.env.TW_SCREENSHOT_DIR;
    else process.env.TW_SCREENSHOT_DIR = saved;
    await page?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Page code as strings: the tests compile without the DOM's types.
  const events = () => page.evaluate<string[]>('window.events');

  it('clicks, types and presses keys as a person does, then rests the pointer on the activity bar', async () => {
    await click(byRole('textbox', 'Branch'));
    await typeText('walk/first');
    await press('Enter');
    await typeText('-fast', { thenPress: 'Enter' });
    assert.deepEqual(await events(), ['enter:walk/first', 'enter:walk/first-fast']);
    assert.equal(await page.evaluate<string>('window.pointerOver'), 'bar');
  });

  it('right-clicks a row by its name, and clicks a menu item again until the menu takes it (once)', async () => {
    const item = byRole('menuitem', 'Delete Workspace…');
    await rightClick(byRole('treeitem', 'walk/first'));
    await waitFor(item);
    await hover(item);
    await click(item, { until: item });
    assert.deepEqual(await events(), ['click 1', 'click 2'], 'clicked again once the first did nothing, and not after the menu closed');
    assert.equal(await page.locator('#menu').isHidden(), true);
  });

  it('fails with the target and what stood in the way when it never becomes actionable', async () => {
    await assert.rejects(click(byRole('button', 'Create Workspace…'), { timeout: 300 }), /^Error: click button "Create Workspace…": .*Timeout 300ms exceeded/);
    await assert.rejects(
      click(byRole('menuitem', 'Delete Workspace…', { within: { css: '#menu' } }), { timeout: 300 }),
      /click menuitem "Delete Workspace…" in css #menu: .*Timeout 300ms/,
    );
  });

  it('fails on an error notification, naming it; a warning and a closed error toast do not fail', async () => {
    assert.deepEqual(await noErrorNotification(), [{ severity: 'warning', message: 'Workspace "x" already exists.', source: 'Tmux Workspaces' }]);
    await page.locator('#toasts').evaluate((toasts, html) => toasts.insertAdjacentHTML('beforeend', html),
      '<div class="notification-list-item"><div class="notification-list-item-icon codicon codicon-error"></div><div class="notification-list-item-message">Create workspace "x": it broke</div></div>');
    await assert.rejects(noErrorNotification(), /error notification after notifications:\n {2}\[error\] Create workspace "x": it broke$/m);
    // Also after any other action.
    await assert.rejects(press('Escape'), /error notification after press/);
  });

  it('answers a request it cannot read with why, and ignores lines that are not requests', async () => {
    assert.equal(parseUiRequest('TW_SCREENSHOT walk-01'), undefined);
    assert.equal(parseUiRequest('TW_UI ui-action not json'), undefined);
    const unreadable = parseUiRequest('TW_UI ui-action {"do": click}');
    assert.ok(unreadable?.problem, 'a problem for JSON that does not parse');
    const result = await answerUiRequest(unreadable, dir, (action) => performUiAction(page, action), () => undefined);
    assert.equal(result.ok, false);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'ui-action.json'), 'utf8')), result);
    await assert.rejects(ui({ do: 'jump' } as never), /unknown UI action "jump"/);
  });

  it('answers from the plain window between open-window and close-window, else from the suite page', async () => {
    let plain: Page | undefined;
    const target = requestTarget(page, async () => {
      plain = await browser.newPage();
      await plain.setContent('<div class="activitybar"></div><button>Only in the plain window</button>');
      return plain;
    }, performUiAction);
    const onlyThere = { do: 'click', target: byRole('button', 'Only in the plain window') } as const;
    assert.equal(target.page, page);
    assert.equal((await target.perform({ ...onlyThere, timeout: 300 })).ok, false);
    assert.deepEqual(await target.perform({ do: 'open-window' }), { ok: true, notifications: [] });
    assert.equal(target.page, plain);
    assert.deepEqual(await target.perform(onlyThere), { ok: true, notifications: [] });
    assert.equal((await target.perform({ do: 'open-window' })).ok, false, 'one plain window at a time');
    await target.perform({ do: 'close-window' });
    assert.equal(plain?.isClosed(), true);
    assert.equal(target.page, page);
  });

  it('says that UI actions need the launcher page when there is none (test-electron)', async () => {
    delete process.env.TW_SCREENSHOT_DIR;
    assert.equal(uiAvailable(), false);
    await assert.rejects(press('Enter'), /UI actions need the page of the code-server launcher/);
  });
});
