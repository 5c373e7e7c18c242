import test from 'node:test';
import assert from 'node:assert/strict';
import { loadContent } from './_load.mjs';

const GP = loadContent('gate.js');
const { decide, reasonOk, ruleIds, createBypass } = GP.gate;

const f = (rule, severity, start = 0) => ({ rule, severity, start, end: start + 1, message: 'm' });
const S = (o = {}) => ({ enforce: false, require_reason: false, fail_closed: false, ...o });

test('nothing at warn or block: the post goes ahead', () => {
  assert.equal(decide({ findings: [], settings: S(), available: true }).action, 'allow');
  assert.equal(decide({ findings: [f('tone.x', 'info')], settings: S({ enforce: true }), available: true }).action, 'allow');
});

test('warn: confirm, no reason even when reasons are required', () => {
  const d = decide({ findings: [f('tone.x', 'warn')], settings: S({ require_reason: true }), available: true });
  assert.equal(d.action, 'confirm');
  assert.ok(d.canOverride);
  assert.ok(!d.needReason);
  assert.ok(reasonOk(d, ''));
});

test('block: confirm; with require_reason a reason is needed; with enforce no override', () => {
  const fs = [f('tone.x', 'warn', 5), f('secret.aws', 'block', 9), f('note', 'info')];
  const plain = decide({ findings: fs, settings: S(), available: true });
  assert.equal(plain.action, 'confirm');
  assert.deepEqual(plain.findings.map((x) => x.rule), ['secret.aws', 'tone.x'], 'block first, info left out');
  assert.ok(!plain.needReason);

  const reason = decide({ findings: fs, settings: S({ require_reason: true }), available: true });
  assert.equal(reason.action, 'confirm');
  assert.ok(reason.needReason);
  assert.ok(!reasonOk(reason, '  '));
  assert.ok(reasonOk(reason, 'test key, revoked'));

  const enforced = decide({ findings: fs, settings: S({ enforce: true, require_reason: true }), available: true });
  assert.equal(enforced.action, 'block');
  assert.ok(!enforced.canOverride);
  assert.ok(!reasonOk(enforced, 'any reason'));

  // enforce only concerns block findings
  assert.equal(decide({ findings: [f('tone.x', 'warn')], settings: S({ enforce: true }), available: true }).action, 'confirm');
});

test('checker unavailable: unchecked, or held when the organization fails closed', () => {
  assert.equal(decide({ findings: null, settings: S(), available: false }).action, 'unchecked');
  const held = decide({ findings: null, settings: S({ fail_closed: true }), available: false });
  assert.equal(held.action, 'hold');
  assert.ok(!held.canOverride);
  // The host answered with an error for this text (e.g. too long): no findings to judge.
  assert.equal(decide({ findings: null, settings: S({ fail_closed: true }), available: true }).action, 'hold');
});

test('events carry distinct rule ids only', () => {
  assert.deepEqual(ruleIds([f('b', 'warn'), f('a', 'block'), f('b', 'warn')]), ['a', 'b']);
});

test('the bypass lets exactly one re-dispatched action through, for that target, while fresh', () => {
  let now = 0;
  const b = createBypass(() => now, 1000);
  const button = {}, other = {};
  assert.ok(!b.pass(button));
  b.arm(button);
  assert.ok(!b.pass(other), 'another target does not consume it');
  assert.ok(b.pass(button));
  assert.ok(!b.pass(button), 'only once');
  b.arm(button);
  now = 1500;
  assert.ok(!b.pass(button), 'expired');
  assert.ok(!b.armed);
});
