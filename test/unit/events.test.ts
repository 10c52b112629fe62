import * as assert from 'node:assert/strict';
import { Emitter } from '../../src/core/events';
import { RecordingLog } from '../helpers/recordingLog';

describe('Emitter', () => {
  it('logs a failing listener as an error and still calls the others', () => {
    const log = new RecordingLog();
    const emitter = new Emitter<number>(log);
    const seen: number[] = [];
    emitter.event(() => {
      throw new Error('listener broke');
    });
    emitter.event((value) => seen.push(value));
    emitter.fire(7);
    assert.deepEqual(seen, [7]);
    assert.ok(log.find('error', 'listener broke'), JSON.stringify(log.lines));
  });
});
