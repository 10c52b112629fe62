import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { ChangeMarker } from '../../src/core/store/ChangeMarker';
import { eventually } from '../helpers/poll';
import { useTempDir } from '../helpers/tempDir';

describe('ChangeMarker', () => {
  const markers: ChangeMarker[] = [];
  // Registered first, so the watchers close before the folder goes.
  afterEach(() => {
    for (const marker of markers.splice(0)) marker.dispose();
  });
  const folder = useTempDir('tw-marker-');

  function marker(): { marker: ChangeMarker; seen: () => number } {
    const made = new ChangeMarker(join(folder(), 'sub', 'changes'));
    markers.push(made);
    let count = 0;
    made.onDidChange(() => (count += 1));
    return { marker: made, seen: () => count };
  }

  it("tells one window about another's touch, and not about its own", async () => {
    const a = marker();
    const b = marker();
    // Touched until seen: b starts watching a moment after it subscribed.
    await eventually(() => {
      a.marker.touch();
      return b.seen() >= 1;
    }, 5000, 'b told of a');
    assert.equal(a.seen(), 0, 'a is not told of its own touches');
    await eventually(() => {
      b.marker.touch();
      return a.seen() >= 1;
    }, 5000, 'a told of b');
  });
});
