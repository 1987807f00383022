import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRetryableReadError, isStatementTimeout } from './retryable-errors';

test('serialization failures and lost snapshots are retried; everything else is final', () => {
  const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
  assert.equal(isRetryableReadError(err('could not serialize access', '40001')), true);
  assert.equal(isRetryableReadError(err('1023 DETAIL: Serializable isolation violation on table - 123, transactions forming the cycle are: 1, 2', 'XX000')), true);
  assert.equal(isRetryableReadError(err('Invalid snapshot identifier', 'XX000')), true);
  assert.equal(isRetryableReadError(err('permission denied for relation users', '42501')), false);
  assert.equal(isRetryableReadError(err('password authentication failed for user "x"', '28P01')), false);
  assert.equal(isRetryableReadError('40001'), false);
});

test('timeouts are told apart: the server statement timeout or a WLM rule (57014), and pg read timeouts', () => {
  assert.equal(isStatementTimeout(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })), true);
  assert.equal(isStatementTimeout(new Error('Query read timeout')), true);
  assert.equal(isStatementTimeout(Object.assign(new Error('could not serialize access'), { code: '40001' })), false);
});
