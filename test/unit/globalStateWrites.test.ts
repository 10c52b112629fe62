import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The repository's src/, from the bundled test (out/test/unit/). */
const SRC = resolve(__dirname, '..', '..', '..', 'src');
/** The store owns globalState: every write there goes through its cross-window protocol (WriteFence). */
const STORE = join(SRC, 'core', 'store');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Lines outside the store that reach a Memento: `globalState`, `workspaceState`, or anything named *memento*. */
function mementoUses(): string[] {
  return sources(SRC)
    .filter((path) => !path.startsWith(STORE + '/'))
    .flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, where: `${relative(SRC, path)}:${index + 1}` }))
        .filter(({ line }) => /globalState|workspaceState|memento/i.test(line))
        .map(({ line, where }) => `${where}: ${line.trim()}`),
    );
}

describe('globalState is written only through the record store', () => {
  it('finds the source folder it checks', () => {
    assert.ok(sources(SRC).some((path) => path.endsWith('extension.ts')), `no src/extension.ts under ${SRC}`);
  });

  it('has no Memento update outside src/core/store, and hands globalState only to a RecordStore', () => {
    const uses = mementoUses();
    assert.deepEqual(uses.filter((use) => /\.update\(|\.setKeysForSync\(/.test(use)), [], 'a globalState write outside the store\'s protocol');
    assert.deepEqual(uses.filter((use) => !/new RecordStore\((context\.)?globalState\b/.test(use)), [], 'globalState reaches something other than a RecordStore');
  });
});
