import * as assert from 'node:assert/strict';
import { newWorkspaceId } from '../../src/core/naming';

describe('newWorkspaceId', () => {
  const branch = 'dependabot/npm_and_yarn/some-package-1.2.3';

  it('gives long branches that share a slug at least 40 random bits', () => {
    const id = newWorkspaceId(branch);
    const suffix = id.slice(id.lastIndexOf('-') + 1);
    assert.match(suffix, /^[0-9a-f]+$/);
    assert.ok(suffix.length * 4 >= 40, `only ${suffix.length * 4} random bits in ${id}`);
  });

  it('never hands out an id the caller says is taken, retrying until one is free', () => {
    const refusedIds: string[] = [];
    let asked = 0;
    const id = newWorkspaceId(branch, (candidate) => {
      asked += 1;
      if (asked <= 3) {
        refusedIds.push(candidate);
        return true;
      }
      return false;
    });
    assert.equal(asked, 4);
    assert.ok(!refusedIds.includes(id));
  });

  it('gives up with a clear error rather than loop forever when every id is taken', () => {
    assert.throws(() => newWorkspaceId(branch, () => true), /free workspace id/);
  });
});
