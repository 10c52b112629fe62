import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandEntries } from '../../src/ui/commands/registry';
import { CommandId, ContextKey, SECTION, SettingKey, VIEW_ID, VIEW_TITLE } from '../../src/ui/ids';

interface Manifest {
  contributes: {
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    viewsContainers: Record<string, { id: string; title: string }[]>;
    views: Record<string, { id: string; name: string }[]>;
    viewsWelcome: { view: string; when: string }[];
    configuration: { properties: Record<string, unknown> };
  };
}

const manifest: Manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const entries = commandEntries({ refresh: async () => undefined, revealWorkspace: async () => undefined });

describe('package.json contributions match the code', () => {
  it('contributes exactly the commands that have a registered handler', () => {
    const contributed = manifest.contributes.commands.map((command) => command.command).sort();
    assert.deepEqual(entries.map((entry) => entry.id).sort(), contributed);
    assert.deepEqual(Object.values(CommandId).sort(), contributed, 'every command id constant is contributed');
  });

  it('reports each command\'s failures under the title the palette shows', () => {
    for (const entry of entries) {
      const contributed = manifest.contributes.commands.find((command) => command.command === entry.id);
      assert.equal(contributed?.title.replace(/…$/, ''), entry.title, entry.id);
    }
  });

  it('names only contributed commands in menus', () => {
    const ids = new Set<string>(Object.values(CommandId));
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) assert.ok(ids.has(item.command), `${menu}: ${item.command}`);
    }
  });

  it('has every setting key constant in its configuration, and no setting without one', () => {
    const properties = Object.keys(manifest.contributes.configuration.properties).sort();
    assert.deepEqual(Object.values(SettingKey).map((key) => `${SECTION}.${key}`).sort(), properties);
  });

  it('reads in its when clauses only the context keys the code sets, and the view the code names', () => {
    const keys = new Set<string>(Object.values(ContextKey));
    for (const welcome of manifest.contributes.viewsWelcome) {
      assert.equal(welcome.view, VIEW_ID);
      for (const key of welcome.when.match(/tmuxWorkspaces\.\w+/g) ?? []) assert.ok(keys.has(key), `${key} in "${welcome.when}"`);
    }
    assert.deepEqual(manifest.contributes.views[SECTION].map((view) => view.id), [VIEW_ID]);
  });

  it('names its one view as its container, so the header reads "TMUX WORKSPACES" and is not cut to a prefix', () => {
    const container = manifest.contributes.viewsContainers.activitybar.find((candidate) => candidate.id === SECTION);
    assert.equal(container?.title, VIEW_TITLE);
    assert.deepEqual(manifest.contributes.views[SECTION].map((view) => view.name), [VIEW_TITLE]);
  });

  it('gives tmuxWorkspaces.agents a full schema with a snippet for settings.json', () => {
    const setting = manifest.contributes.configuration.properties[`${SECTION}.${SettingKey.agents}`] as {
      items: { type: string; required: string[]; additionalProperties: boolean; properties: Record<string, { type: string; description?: string }> };
      defaultSnippets?: { label: string; body: unknown[] }[];
    };
    assert.equal(setting.items.type, 'object');
    assert.deepEqual(Object.keys(setting.items.properties).sort(), ['args', 'command', 'env', 'id', 'label', 'resumeArgs']);
    for (const [name, property] of Object.entries(setting.items.properties)) assert.ok(property.description, `${name} is described`);
    assert.deepEqual(setting.items.required, ['id', 'command']);
    assert.equal(setting.items.additionalProperties, false, 'a misspelt key is flagged');
    assert.ok(setting.defaultSnippets && setting.defaultSnippets.length > 0, 'settings.json offers a snippet');
    for (const snippet of setting.defaultSnippets) {
      const entry = snippet.body[0] as Record<string, unknown>;
      assert.ok(snippet.label, 'the snippet is named');
      for (const key of setting.items.required) assert.ok(key in entry, `the snippet "${snippet.label}" fills in ${key}`);
      for (const key of Object.keys(entry)) assert.ok(key in setting.items.properties, `the snippet's ${key} is in the schema`);
    }
  });
});
