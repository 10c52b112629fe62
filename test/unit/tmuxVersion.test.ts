import * as assert from 'node:assert/strict';
import { MINIMUM_TMUX_TEXT, parseTmuxVersion, unsupportedTmux } from '../../src/core/tmux/version';

describe('tmux version', () => {
  it('reads the version from what tmux -V prints', () => {
    assert.deepEqual(parseTmuxVersion('tmux 3.3a\n'), { major: 3, minor: 3 });
    assert.deepEqual(parseTmuxVersion('tmux next-3.5'), { major: 3, minor: 5 });
    assert.deepEqual(parseTmuxVersion('tmux 3.4-rc'), { major: 3, minor: 4 });
    assert.equal(parseTmuxVersion('tmux master'), undefined);
  });

  it('refuses a tmux older than the minimum with a message naming the minimum', () => {
    for (const output of ['tmux 2.9a', 'tmux 3.0', 'tmux 3.1c', 'tmux 1.8']) {
      const message = unsupportedTmux(output);
      assert.ok(message?.includes(`tmux ${MINIMUM_TMUX_TEXT} or newer`), output);
      assert.ok(message?.includes(output), output);
    }
  });

  it('accepts the minimum, newer versions and builds that name no version', () => {
    for (const output of ['tmux 3.2', 'tmux 3.2a', 'tmux 3.3a', 'tmux 3.10', 'tmux 4.0', 'tmux next-3.6', 'tmux master']) assert.equal(unsupportedTmux(output), undefined, output);
  });
});
