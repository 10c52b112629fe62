import * as assert from 'node:assert/strict';
import { andList } from '../../src/core/prose';

describe('andList', () => {
  it('joins a list as English does: "a, b and c"', () => {
    assert.equal(andList([]), '');
    assert.equal(andList(['a']), 'a');
    assert.equal(andList(['a', 'b']), 'a and b');
    assert.equal(andList(['a', 'b', 'c']), 'a, b and c');
    assert.equal(andList(['a', 'b', 'c', 'd']), 'a, b, c and d');
  });
});
