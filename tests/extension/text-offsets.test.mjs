import test from 'node:test';
import assert from 'node:assert/strict';
import { loadContent, t, e } from './_load.mjs';

const GP = loadContent('text.js', 'offsets.js');
const { readEditable } = GP.text;
const { rangeFor, rebaseFindings } = GP.offsets;

// What a Range over the spec would contain.
function sliceOf(spec) {
  if (!spec) return null;
  const { segments } = current;
  let out = '';
  let on = false;
  for (const s of segments) {
    const n = s.node;
    if (n === spec.startNode) on = true;
    if (!on) continue;
    const from = n === spec.startNode ? spec.startOffset : 0;
    const to = n === spec.endNode ? spec.endOffset : n.data.length;
    out += n.data.slice(from, to);
    if (n === spec.endNode) break;
    out += '|';   // node boundary
  }
  return out;
}
let current;
function read(root) {
  current = readEditable(root);
  return current;
}

test('Draft.js blocks are lines; the empty block is an empty line', () => {
  // X: div[data-contents] > div[data-block] > div > span > span[data-text]
  const block = (...kids) => e('div', e('div', e('span', ...kids)));
  const root = e('div', block(t('Hello')), block(e('br')), block(t('world')));
  assert.equal(read(root).text, 'Hello\n\nworld');
});

test('ProseMirror, Lexical and Quill paragraphs with trailing breaks', () => {
  const pm = e('div', e('p', t('one')), e('p', e('br')), e('p', t('two'), e('br')));
  assert.equal(read(pm).text, 'one\n\ntwo');
  const lexical = e('div', e('p', e('span', t('a '), e('strong', t('b'))), e('span', t(' c'))));
  assert.equal(read(lexical).text, 'a b c');
  const quill = e('div', e('p', t('line')), e('p', e('br')));
  assert.equal(read(quill).text, 'line\n');
  assert.equal(read(e('div', e('p', e('br')))).text, '');
  assert.equal(read(e('div')).text, '');
});

test('a <br> inside a line breaks it; scripts and styles are not text', () => {
  const root = e('div', t('a'), e('br'), t('b'), e('style', t('.x{}')), e('script', t('x()')));
  assert.equal(read(root).text, 'a\nb');
});

test('offsets map onto the exact text nodes, after emoji, combining marks and other scripts', () => {
  const before = '👩‍💻 Café ñ (e\u0301) 東京 Привет مرحبا ';
  const secret = 'AKIAIOSFODNN7EXAMPLE';
  const root = e('div',
    e('p', e('span', t(before)), e('strong', t(secret.slice(0, 8))), t(secret.slice(8) + ' done')),
    e('p', t('second 🚀 line')));
  const { text } = read(root);
  const start = text.indexOf(secret);
  assert.equal(start, before.length, 'UTF-16 code units, as the host reports');
  const spec = rangeFor(current.segments, start, start + secret.length);
  assert.equal(spec.startOffset, 0);
  assert.equal(spec.startNode.data, secret.slice(0, 8));
  assert.equal(spec.endOffset, secret.length - 8);
  assert.equal(sliceOf(spec).replace('|', ''), secret);
  // A span in the second paragraph, after an emoji.
  const s2 = text.indexOf('line');
  const spec2 = rangeFor(current.segments, s2, s2 + 4);
  assert.equal(sliceOf(spec2), 'line');
  assert.equal(spec2.startOffset, 'second 🚀 '.length);
});

test('a span across a paragraph boundary starts and ends inside text nodes', () => {
  const root = e('div', e('p', t('alpha beta')), e('p', t('gamma delta')));
  const { text } = read(root);
  const s = text.indexOf('beta'), end = text.indexOf('gamma') + 5;
  const spec = rangeFor(current.segments, s, end);
  assert.equal(sliceOf(spec), 'beta|gamma');
  // Edges on the made-up line break move into the neighbouring nodes.
  const nl = text.indexOf('\n');
  const spec2 = rangeFor(current.segments, nl, nl + 3);
  assert.equal(sliceOf(spec2), 'ga');
  assert.equal(rangeFor(current.segments, nl, nl + 1), null, 'only the line break');
  assert.equal(rangeFor(current.segments, 3, 3), null, 'empty');
  assert.equal(rangeFor(current.segments, 100, 200), null, 'past the end');
});

test('findings follow their words while typing, and the touched one waits for the next check', () => {
  const old = 'my key AKIA1234 and crazy stuff';
  const fs = [
    { rule: 'secret', start: 7, end: 15 },
    { rule: 'tone', start: 20, end: 25 },
  ];
  // Typing at the start shifts both.
  const typed = '🙂 ' + old;
  const r = rebaseFindings(old, typed, fs);
  assert.deepEqual(r.map((f) => typed.slice(f.start, f.end)), ['AKIA1234', 'crazy']);
  // Typing inside the key drops it until the next check.
  const inside = old.replace('AKIA1234', 'AKIA12X34');
  assert.deepEqual(rebaseFindings(old, inside, fs).map((f) => f.rule), ['tone']);
  // Typing at the end changes nothing.
  assert.deepEqual(rebaseFindings(old, old + '!', fs), fs);
});
