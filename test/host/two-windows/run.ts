// What each window's entry (windowA.index.ts, windowB.index.ts) runs: the
// two-window suite (twoWindows.test.js) as window A or B. The role travels in
// this extension host's own environment; code-server gives both hosts the same one.
import { join } from 'node:path';
import Mocha from 'mocha';
import { Barrier, type Role } from './barrier';

export async function runWindow(role: Role, dir: string): Promise<void> {
  process.env.TW_WINDOW_ROLE = role;
  // bail: after a failure the remaining steps would only wait for a window that has gone.
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, bail: true });
  mocha.addFile(join(dir, 'twoWindows.test.js'));
  const barrier = Barrier.fromEnvironment(role);
  const stats = await new Promise<Mocha.Stats>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats!));
    // At once, hooks included: the other window stops waiting at its next barrier.
    runner.on('fail', () => barrier.fail());
  });
  console.log(`host window ${role}: ${stats.passes} passed, ${stats.failures} failed, ${stats.pending} skipped`);
  if (stats.failures > 0) throw new Error(`${stats.failures} two-window test(s) failed in window ${role}`);
}
