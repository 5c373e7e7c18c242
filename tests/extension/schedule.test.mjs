import test from 'node:test';
import assert from 'node:assert/strict';
import { loadContent } from './_load.mjs';
import { fakeTimers } from './_timers.mjs';

const GP = loadContent('schedule.js');
const { debounce, sequencer } = GP.schedule;

test('debounce: one call after the typing stops, with the latest arguments', () => {
  const timers = fakeTimers();
  const calls = [];
  const d = debounce((x) => calls.push(x), 250, timers);
  d('a'); timers.advance(100);
  d('ab'); timers.advance(100);
  d('abc'); timers.advance(249);
  assert.deepEqual(calls, []);
  timers.advance(1);
  assert.deepEqual(calls, ['abc']);
  assert.equal(timers.count, 0);
});

test('flush runs the pending call at once (the pre-post check); cancel forgets it', () => {
  const timers = fakeTimers();
  const calls = [];
  const d = debounce((x) => { calls.push(x); return x.length; }, 250, timers);
  d('abc');
  assert.ok(d.pending());
  assert.equal(d.flush(), 3);
  assert.ok(!d.pending());
  timers.advance(500);
  assert.deepEqual(calls, ['abc']);
  assert.equal(d.flush(), undefined);
  d('x'); d.cancel(); timers.advance(500);
  assert.deepEqual(calls, ['abc']);
});

test('sequencer: a stale answer is recognized', () => {
  const s = sequencer();
  const a = s.next();
  const b = s.next();
  assert.ok(!s.isCurrent(a));
  assert.ok(s.isCurrent(b));
});
