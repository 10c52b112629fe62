// Window A of the two-window suite (see run.ts); its extensionTestsPath.
import { runWindow } from './run';

export function run(): Promise<void> {
  return runWindow('A', __dirname);
}
