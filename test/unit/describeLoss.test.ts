import * as assert from 'node:assert/strict';
import { describeLoss } from '../../src/core/lifecycle/WorkspaceDeletion';

describe('describeLoss', () => {
  it('counts what a delete would lose, one or many', () => {
    assert.equal(describeLoss({ dirtyFiles: ['a'], unpushedCommits: [] }), '1 uncommitted or untracked file');
    assert.equal(describeLoss({ dirtyFiles: ['a', 'b'], unpushedCommits: ['c1', 'c2', 'c3'] }), '2 uncommitted or untracked files and 3 unpushed commits');
    assert.equal(describeLoss({ dirtyFiles: [], unpushedCommits: ['c1'] }), '1 unpushed commit');
  });

  it('is empty when nothing would be lost', () => {
    assert.equal(describeLoss({ dirtyFiles: [], unpushedCommits: [] }), '');
  });
});
