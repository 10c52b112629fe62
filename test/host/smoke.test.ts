import * as assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import { screenshot, screenshotPath } from './screenshot';

describe('extension host smoke test', () => {
  it('activates the extension and captures the workbench', async () => {
    const extension = vscode.extensions.getExtension('tmux-workspaces.tmux-workspaces');
    assert.ok(extension, 'the extension under development is loaded');
    await extension.activate();
    assert.equal(extension.isActive, true);

    await screenshot('smoke');
    const path = screenshotPath('smoke');
    // Only the code-server launcher takes screenshots (see screenshot.ts).
    if (path) assert.ok(statSync(path).size > 0, `${path} is not empty`);
  });
});
