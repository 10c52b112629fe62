import * as assert from 'node:assert/strict';
import { terminalTitle } from '../../src/ui/words';

describe('UI words', () => {
  it('titles an attach terminal "session · workspace", each once', () => {
    assert.equal(terminalTitle('my-feature', 'shell'), 'shell · my-feature');
    assert.equal(terminalTitle('my-feature'), 'my-feature', 'the base terminal is the workspace\'s own');
    assert.equal(terminalTitle('my-feature', 'shell · my-feature'), 'shell · my-feature', 'a label that already names the workspace');
    assert.equal(terminalTitle('my-feature', 'my-feature'), 'my-feature');
  });
});
