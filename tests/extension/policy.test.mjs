import test from 'node:test';
import assert from 'node:assert/strict';
import { normalizePolicy, mergeSites, extraHosts, gateSettings, DEFAULT_POLICY } from '../../extension/background/policy.js';
import { loadContent, readJson } from './_load.mjs';

test('no policy: defaults, no problems', () => {
  assert.deepEqual(normalizePolicy(undefined), { policy: { ...DEFAULT_POLICY }, problems: [] });
  assert.deepEqual(normalizePolicy({}).policy, { ...DEFAULT_POLICY });
});

test('booleans, policy URL, bundle as JSON text or object', () => {
  const bundle = { version: '2025-11-20', packs: [] };
  const { policy, problems } = normalizePolicy({ enforce: true, require_reason: true, fail_closed: true,
    policy_url: 'https://intranet.example/policy', rules_bundle: JSON.stringify(bundle) });
  assert.deepEqual(problems, []);
  assert.equal(policy.enforce, true);
  assert.equal(policy.require_reason, true);
  assert.equal(policy.fail_closed, true);
  assert.equal(policy.policy_url, 'https://intranet.example/policy');
  assert.deepEqual(policy.rules_bundle, bundle);
  assert.deepEqual(normalizePolicy({ rules_bundle: bundle }).policy.rules_bundle, bundle);
  assert.deepEqual(gateSettings(policy), { enforce: true, require_reason: true, fail_closed: true,
    policy_url: 'https://intranet.example/policy' });
});

test('bad values are reported and ignored', () => {
  const { policy, problems } = normalizePolicy({ enforce: 'yes', policy_url: 'javascript:alert(1)',
    rules_bundle: '{not json', sites: [1] });
  assert.equal(policy.enforce, false);
  assert.equal(policy.policy_url, '');
  assert.equal(policy.rules_bundle, null);
  assert.equal(policy.sites, null);
  assert.equal(problems.length, 4);
  assert.match(problems.join(' '), /rules_bundle is not valid JSON/);
});

test('a site field of the wrong shape is reported and left out; the rest of the entry is kept', () => {
  const { policy, problems } = normalizePolicy({ sites: JSON.stringify({
    'mastodon': { detect: '#mastodon' },
    intranet: { name: 'Yammer', hosts: ['social.corp.example'], composers: ['textarea'] },
    reddit: null,
    threads: 'off',
  }) });
  assert.deepEqual(problems, [
    'sites.mastodon.detect must be a list of CSS selectors',
    'sites.intranet.composers must be a list of composer objects',
    'sites.threads must be an object or null',
  ]);
  assert.deepEqual(policy.sites, {
    'mastodon': {},
    intranet: { name: 'Yammer', hosts: ['social.corp.example'] },
    reddit: null,
  });
  // The built-in detect selectors survive, so Mastodon is still found by structure.
  const merged = mergeSites(readJson('sites.json'), policy.sites);
  const mastodon = merged.adapters.find((a) => a.id === 'mastodon');
  assert.ok(Array.isArray(mastodon.detect) && mastodon.detect.length > 0);
});

test("a composer's field of the wrong shape is reported and left out, and so is a composer without a selector", () => {
  const { policy, problems } = normalizePolicy({ sites: {
    intranet: { hosts: ['social.corp.example'], composers: [
      { selector: 'textarea', post: ['button.send'], shortcut: 'Mod+Enter', scope: 'form' },
      { post: ['button.other'] },
    ] },
  } });
  assert.deepEqual(problems, [
    'sites.intranet.composers[0].shortcut must be a list of shortcuts such as "Mod+Enter"',
    'sites.intranet.composers[0].scope must be a list of CSS selectors',
    'sites.intranet.composers[1].selector must be a CSS selector',
  ]);
  assert.deepEqual(policy.sites.intranet.composers, [{ selector: 'textarea', post: ['button.send'] }]);
  // What is kept works: a string shortcut used to make every keydown in the composer throw.
  const { adapters } = loadContent('adapters.js');
  assert.equal(adapters.shortcutMatches(policy.sites.intranet.composers[0].shortcut,
    { key: 'Enter', ctrlKey: true, metaKey: false, shiftKey: false, altKey: false }), false);
});

test('managed sites extend and override the table; generic stays last', () => {
  const table = readJson('sites.json');
  const merged = mergeSites(table, {
    x: { composers: [{ selector: '.new', editor: 'draftjs', post: ['.p'], shortcut: [] }] },
    intranet: { name: 'Yammer', hosts: ['social.corp.example'], composers: [] },
    threads: { disabled: true },
    reddit: null,
  });
  const ids = merged.adapters.map((a) => a.id);
  assert.ok(!ids.includes('threads') && !ids.includes('reddit'));
  assert.deepEqual(ids.slice(-2), ['intranet', 'generic']);
  const x = merged.adapters.find((a) => a.id === 'x');
  assert.equal(x.composers[0].selector, '.new');
  assert.deepEqual(x.hosts, table.adapters[0].hosts, 'fields not named are kept');
  assert.equal(table.adapters.find((a) => a.id === 'x').composers[0].editor, 'draftjs', 'the base table is not mutated');
  assert.deepEqual(extraHosts(merged, ['x.com', 'twitter.com', 'mobile.x.com', 'mobile.twitter.com',
    'www.linkedin.com', 'linkedin.com', 'www.facebook.com', 'facebook.com', 'web.facebook.com', 'm.facebook.com',
    'mastodon.social', 'mastodon.online', 'mas.to', 'fosstodon.org', 'hachyderm.io', 'infosec.exchange',
    'bsky.app']), ['social.corp.example']);
});
