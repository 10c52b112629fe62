import * as assert from 'node:assert/strict';
import { acceptedItem, typedBranchPick, typedPromptPick, type BranchPick } from '../../src/ui/commands/typedPicks';

describe('typed quick pick rows', () => {
  const known = { defaultBranch: 'main', listed: ['local-only', 'origin/remote-only'], taken: ['main'] };

  it('turns a typed branch name into a new branch from the default branch', () => {
    assert.deepEqual(typedBranchPick('  feature/x ', known), {
      label: '$(add) feature/x',
      description: 'Create branch \'feature/x\' from main',
      branch: 'feature/x',
      source: 'new',
      problem: undefined,
    });
  });

  it('says why a typed branch name cannot be created, with the branch-name checks', () => {
    assert.equal(typedBranchPick('has space', known)?.problem, 'A branch name cannot contain spaces.');
    assert.equal(typedBranchPick('-x', known)?.problem, 'A branch name cannot start with "-".');
    assert.equal(typedBranchPick('a..b', known)?.problem, 'A branch name cannot contain "..".');
    assert.match(typedBranchPick('main', known)?.problem ?? '', /already exists/);
  });

  it('adds no row for nothing typed or for a branch the list already has', () => {
    assert.equal(typedBranchPick('   ', known), undefined);
    assert.equal(typedBranchPick('local-only', known), undefined);
    assert.equal(typedBranchPick('origin/remote-only', known), undefined);
  });

  it('turns a typed first prompt into a Send row, refused when it cannot be sent', () => {
    const row = typedPromptPick('fix the bug ');
    assert.equal(row?.label, '$(send) fix the bug');
    assert.equal(row?.description, 'Send \'fix the bug\' as the first prompt');
    assert.equal(row?.text, 'fix the bug');
    assert.equal(row?.problem, undefined);
    assert.match(typedPromptPick('bad \u0007')?.problem ?? '', /control character \(U\+0007/);
    assert.equal(typedPromptPick('  '), undefined);
  });

  describe('the item Enter accepts', () => {
    const typed = (value: string) => typedBranchPick(value, known);

    it('is the typed row for the text as it is now, when the editor still shows the one for a key earlier (or none)', () => {
      // Typed "walk/second" with Enter right after the last key: the editor still had "walk/secon" active.
      assert.equal(acceptedItem({ source: typed('walk/secon')!, typed: true }, 'walk/second', typed)?.branch, 'walk/second');
      assert.equal(acceptedItem(undefined, 'walk/second', typed)?.branch, 'walk/second');
    });

    it('is a listed row the user moved to, as it is', () => {
      const listed: BranchPick = { label: '$(git-branch) local-only', branch: 'local-only', source: 'existing' };
      assert.equal(acceptedItem({ source: listed, typed: false }, 'local', typed), listed);
    });

    it('is nothing when the text now names a listed row the editor has not shown yet, or when nothing is typed', () => {
      assert.equal(acceptedItem({ source: typed('local-onl')!, typed: true }, 'local-only', typed), undefined);
      assert.equal(acceptedItem(undefined, '  ', typed), undefined);
      assert.equal(acceptedItem(undefined, 'x'), undefined, 'a picker without typed rows');
    });
  });
});
