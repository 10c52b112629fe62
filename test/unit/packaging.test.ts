import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

interface Manifest {
  readonly contributes: {
    readonly jsonValidation?: readonly { readonly url: string }[];
    readonly viewsContainers?: Record<string, readonly { readonly icon?: string }[]>;
  };
}

/** What the VSIX will hold, as `vsce package` decides it from `.vscodeignore` (loaded at run time, not bundled). */
async function packedFiles(): Promise<string[]> {
  const vsce = createRequire(__filename)('@vscode/vsce') as { listFiles(options: { cwd: string; packageManager: number }): Promise<string[]>; PackageManager: { None: number } };
  return vsce.listFiles({ cwd: ROOT, packageManager: vsce.PackageManager.None });
}

describe('the VSIX', () => {
  it('holds every file package.json points at: the project-file schema and the view icons', async function () {
    this.timeout(20_000);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
    const pointedAt = [
      ...(manifest.contributes.jsonValidation ?? []).map((entry) => entry.url),
      ...Object.values(manifest.contributes.viewsContainers ?? {}).flatMap((containers) => containers.flatMap((container) => (container.icon ? [container.icon] : []))),
    ].map((path) => path.replace(/^\.\//, ''));
    assert.ok(pointedAt.includes('schemas/tmux-workspaces.schema.json'));
    const packed = new Set(await packedFiles());
    assert.deepEqual(pointedAt.filter((path) => !packed.has(path)), [], 'left out of the VSIX by .vscodeignore');
  });
});
