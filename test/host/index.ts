// Entry point of the in-editor suite: the extension host loads the bundled
// out/test/host/index.js (extensionTestsPath) and awaits run(). The same file
// serves @vscode/test-electron and the code-server launcher.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // TW_HOST_GREP runs only the tests whose titles match it (while working on one; CI runs them all).
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, ...(process.env.TW_HOST_GREP ? { grep: process.env.TW_HOST_GREP } : {}) });
  // esbuild bundles every *.test.ts next to this file into this folder.
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  const stats = await new Promise<Mocha.Stats>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats!));
  });
  // The plain summary line that CI reads (mocha's own wording differs).
  console.log(`host: ${stats.passes} passed, ${stats.failures} failed, ${stats.pending} skipped`);
  if (stats.failures > 0) throw new Error(`${stats.failures} host test(s) failed`);
}
