import test from 'node:test';
import assert from 'node:assert/strict';
import { loadContent, readJson } from './_load.mjs';

const GP = loadContent('adapters.js');
const { hostMatches, adaptersFor, composerFor, postButtonIn, shortcutMatches, parseShortcut, detectedBy } = GP.adapters;
const table = readJson('sites.json');

// A tiny element stand-in: matches(selector) answers from a fixed list.
const el = (name, sels, extra = {}) => ({ name, sels, ...extra });
const matches = (node, sel) => node.sels.includes(sel);

test('hostname patterns', () => {
  assert.ok(hostMatches('x.com', 'x.com'));
  assert.ok(hostMatches('x.com', 'X.COM.'));
  assert.ok(!hostMatches('x.com', 'evilx.com'));
  assert.ok(!hostMatches('x.com', 'x.com.evil.net'));
  assert.ok(hostMatches('*.linkedin.com', 'www.linkedin.com'));
  assert.ok(hostMatches('*.linkedin.com', 'linkedin.com'));
  assert.ok(!hostMatches('*.linkedin.com', 'notlinkedin.com'));
  assert.ok(hostMatches('*', 'anything.example'));
});

test('each listed site gets its adapter first and the generic one last', () => {
  const none = () => false;
  const cases = {
    'x.com': 'x', 'twitter.com': 'x', 'www.linkedin.com': 'linkedin', 'www.facebook.com': 'facebook',
    'mastodon.social': 'mastodon', 'www.reddit.com': 'reddit', 'bsky.app': 'bluesky',
    'www.threads.net': 'threads', 'www.threads.com': 'threads',
  };
  for (const [host, id] of Object.entries(cases)) {
    const list = adaptersFor(table, host, none);
    assert.equal(list[0].id, id, host);
    assert.equal(list.at(-1).id, 'generic', host);
    assert.equal(list.length, 2, host);
  }
});

test('Mastodon on any instance is recognized by its page structure', () => {
  const has = (sel) => sel === '#mastodon[data-props]';
  const list = adaptersFor(table, 'social.example.org', has);
  assert.deepEqual(list.map((a) => a.id), ['mastodon', 'generic']);
  assert.equal(detectedBy(table, has).id, 'mastodon');
  const plain = adaptersFor(table, 'blog.example.org', () => false);
  assert.deepEqual(plain.map((a) => a.id), ['generic']);
  assert.equal(detectedBy(table, () => false), null);
  // A selector that throws (bad policy data) counts as no match.
  assert.deepEqual(adaptersFor(table, 'a.example', () => { throw new Error('bad selector'); }).map((a) => a.id), ['generic']);
});

test('composerFor prefers the site adapter over the generic one, innermost element first', () => {
  const x = table.adapters.find((a) => a.id === 'x');
  const generic = table.adapters.find((a) => a.id === 'generic');
  const editor = el('editor', [x.composers[0].selector, generic.composers[1].selector]);
  const span = el('span', []);
  const m = composerFor([x, generic], [span, editor], matches);
  assert.equal(m.adapter.id, 'x');
  assert.equal(m.composer.editor, 'draftjs');
  assert.equal(m.element, editor);
  const ta = el('ta', ['textarea']);
  assert.equal(composerFor([x, generic], [ta], matches).adapter.id, 'generic');
  assert.equal(composerFor([x, generic], [el('div', [])], matches), null);
});

test('Post buttons by selector, and by label where the site has no stable attribute', () => {
  const x = table.adapters.find((a) => a.id === 'x').composers[0];
  const btn = el('button', ['[data-testid="tweetButton"]']);
  const inner = el('span', []);
  assert.equal(postButtonIn(x, [inner, btn], matches, () => 'Post'), btn);
  assert.equal(postButtonIn(x, [inner], matches, () => 'Post'), null);
  const threads = table.adapters.find((a) => a.id === 'threads').composers[0];
  const tb = el('div', ['[role="dialog"] div[role="button"]']);
  assert.equal(postButtonIn(threads, [tb], matches, () => ' Post '), tb);
  assert.equal(postButtonIn(threads, [tb], matches, () => 'Add to thread'), null);
});

test('keyboard shortcuts', () => {
  assert.deepEqual(parseShortcut('Mod+Enter'), { key: 'Enter', mod: true, shift: false, alt: false });
  const k = (o) => ({ key: 'Enter', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...o });
  assert.ok(shortcutMatches(['Mod+Enter'], k({ ctrlKey: true })));
  assert.ok(shortcutMatches(['Mod+Enter'], k({ metaKey: true })));
  assert.ok(!shortcutMatches(['Mod+Enter'], k({})));
  assert.ok(!shortcutMatches(['Mod+Enter'], k({ ctrlKey: true, shiftKey: true })));
  assert.ok(shortcutMatches(['Enter'], k({})));
  assert.ok(!shortcutMatches(['Enter'], k({ shiftKey: true })), 'Shift+Enter is a new line');
  assert.ok(!shortcutMatches(['Enter'], k({ isComposing: true })), 'Enter that ends an IME composition');
  assert.ok(!shortcutMatches([], k({ ctrlKey: true })));
});

test('sites.json is well formed', () => {
  const kinds = new Set(['textarea', 'draftjs', 'lexical', 'quill', 'prosemirror', 'generic-contenteditable']);
  const ids = new Set();
  for (const a of table.adapters) {
    assert.ok(a.id && !ids.has(a.id), `unique id ${a.id}`);
    ids.add(a.id);
    assert.ok(Array.isArray(a.hosts) && a.hosts.length, `${a.id} hosts`);
    assert.ok(a.composers.length, `${a.id} composers`);
    for (const c of a.composers) {
      assert.equal(typeof c.selector, 'string');
      assert.ok(kinds.has(c.editor), `${a.id} editor kind ${c.editor}`);
      assert.ok(Array.isArray(c.post) && c.post.every((p) => typeof p === 'string'), `${a.id} post`);
      assert.ok(Array.isArray(c.shortcut));
    }
  }
  assert.equal(table.adapters.at(-1).id, 'generic');
  for (const id of ['x', 'linkedin', 'facebook', 'mastodon', 'reddit', 'bluesky', 'threads']) assert.ok(ids.has(id), id);
});
