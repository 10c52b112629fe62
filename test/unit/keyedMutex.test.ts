import * as assert from 'node:assert/strict';
import { KeyedMutex } from '../../src/core/lifecycle/KeyedMutex';
import { gate } from '../helpers/gate';

describe('KeyedMutex', () => {
  it('runs tasks of one key one after another, in the order they were asked for', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const first = gate();
    const a = mutex.run('ws', async () => {
      order.push('a starts');
      await first.promise;
      order.push('a ends');
    });
    const b = mutex.run('ws', async () => {
      order.push('b starts');
    });
    await Promise.resolve();
    assert.deepEqual(order, ['a starts'], 'b waits for a');
    first.open();
    await Promise.all([a, b]);
    assert.deepEqual(order, ['a starts', 'a ends', 'b starts']);
  });

  it('runs tasks of different keys at the same time', async () => {
    const mutex = new KeyedMutex();
    const held = gate();
    const slow = mutex.run('one', () => held.promise);
    let otherRan = false;
    await mutex.run('two', async () => {
      otherRan = true;
    });
    assert.ok(otherRan, 'key two did not wait for key one');
    held.open();
    await slow;
  });

  it('goes on with the next task after one fails, and the failure reaches its caller', async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run('ws', async () => {
      throw new Error('boom');
    });
    const next = mutex.run('ws', async () => 'next ran');
    await assert.rejects(failing, /boom/);
    assert.equal(await next, 'next ran');
  });

  it('says a key is locked while a task holds or waits for it, and frees it after', async () => {
    const mutex = new KeyedMutex();
    const held = gate();
    const task = mutex.run('ws', () => held.promise);
    assert.ok(mutex.isLocked('ws'));
    assert.ok(!mutex.isLocked('other'));
    held.open();
    await task;
    await Promise.resolve();
    assert.ok(!mutex.isLocked('ws'));
  });
});
