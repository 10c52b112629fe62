import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeMarker } from '../../src/core/store/ChangeMarker';
import { eventually } from '../helpers/poll';

describe('ChangeMarker', () => {
  let dir: string;
  const markers: ChangeMarker[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-marker-'));
  });
  afterEach(async () => {
    for (const marker of markers.splice(0)) marker.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  function marker(): { marker: ChangeMarker; seen: () => number } {
    const made = new ChangeMarker(join(dir, 'sub', 'changes'));
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
