import test from 'node:test';
import assert from 'node:assert/strict';
import { STATUS, classifyDisconnect, describeCode, describeStatus, isUnavailable } from '../../extension/common/errors.js';

test('every protocol error code has its own words', () => {
  const codes = ['invalid_json', 'invalid_utf8', 'frame_too_large', 'stream_corrupt', 'bad_request',
    'unknown_type', 'text_too_large', 'rules_invalid', 'internal', 'timeout', 'disconnected'];
  const generic = describeCode('no_such_code');
  for (const c of codes) {
    assert.notEqual(describeCode(c), generic, c);
    assert.doesNotMatch(describeCode(c), /_/, `${c}: no codes in words`);
  }
  assert.match(describeCode('text_too_large'), /too long/);
});

test('browser disconnect strings (Chromium and Firefox) map to a status', () => {
  assert.equal(classifyDisconnect('Specified native messaging host not found.', false), STATUS.HOST_MISSING);
  assert.equal(classifyDisconnect('No such native application com.guardpost.host', false), STATUS.HOST_MISSING);
  assert.equal(classifyDisconnect('Access to the specified native messaging host is forbidden.', false), STATUS.HOST_MISSING);
  assert.equal(classifyDisconnect('Native host has exited.', true), STATUS.HOST_CRASHED);
  assert.equal(classifyDisconnect('Native host has exited.', false), STATUS.HOST_MISSING, 'not executable');
  assert.equal(classifyDisconnect(undefined, true), STATUS.HOST_CRASHED, 'Firefox: a crash has no error');
  assert.equal(classifyDisconnect('An unexpected error occurred', false), STATUS.HOST_MISSING, 'Firefox: binary missing');
  assert.equal(classifyDisconnect('Error when communicating with the native messaging host.', true), STATUS.HOST_ERROR);
});

test('status words and availability', () => {
  for (const s of Object.values(STATUS)) assert.ok(describeStatus(s).length > 10);
  assert.match(describeStatus(STATUS.HOST_MISSING), /not installed/);
  assert.ok(isUnavailable(STATUS.HOST_CRASHED));
  assert.ok(!isUnavailable(STATUS.CONNECTED));
  assert.ok(!isUnavailable(STATUS.CONNECTING));
});
