import * as assert from 'node:assert/strict';
import { WorkspaceError } from '../../src/core/errors';

/** The WorkspaceError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function workspaceError(promise: Promise<unknown>): Promise<WorkspaceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof WorkspaceError, `a WorkspaceError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected a WorkspaceError');
}
