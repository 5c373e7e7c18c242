import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { readJson, root } from './_load.mjs';

const manifest = readJson('manifest.json');

test('one MV3 manifest for Chromium and Firefox', () => {
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.background.service_worker, 'background/main.js');
  assert.deepEqual(manifest.background.scripts, ['background/main.js']);
  assert.equal(manifest.background.type, 'module');
  assert.deepEqual([...manifest.permissions].sort(), ['nativeMessaging', 'scripting', 'storage']);
  assert.equal(manifest.content_security_policy.extension_pages, "script-src 'self'; object-src 'none'");
  assert.equal(manifest.storage.managed_schema, 'managed_schema.json');
  assert.equal(manifest.browser_specific_settings.gecko.id, 'guardpost@guardpost.invalid');
  assert.match(manifest.browser_specific_settings.gecko.strict_min_version, /^140\./, "ESR 140: the first ESR with data_collection_permissions (web-ext lint)");
  assert.equal(manifest.web_accessible_resources, undefined);
  // scripting.executeScript into a detected Mastodon instance needs a host permission in Chromium.
  assert.deepEqual(manifest.host_permissions, ['https://*/*']);
});

test('the key gives the fixed Chromium id', async () => {
  const { createHash } = await import('node:crypto');
  const der = Buffer.from(manifest.key, 'base64');
  const id = createHash('sha256').update(der).digest('hex').slice(0, 32)
    .replace(/[0-9a-f]/g, (c) => String.fromCharCode(97 + parseInt(c, 16)));
  assert.equal(id, 'bodmcpfkdcfbpoidjolkokpljnogfhnh');
});

test('match patterns: no ports (Firefox rejects them); the detector excludes the listed sites', () => {
  const [main, detect] = manifest.content_scripts;
  for (const cs of manifest.content_scripts) {
    for (const m of [...cs.matches, ...(cs.exclude_matches ?? [])]) assert.doesNotMatch(m, /:\d+|:\*/, m);
  }
  for (const site of ['x.com', 'twitter.com', 'www.linkedin.com', 'www.facebook.com', 'bsky.app',
    'www.threads.net', 'www.threads.com', 'www.reddit.com', 'mastodon.social']) {
    assert.ok(main.matches.includes(`https://${site}/*`), site);
  }
  assert.deepEqual(detect.matches, ['https://*/*']);
  // detect.js matches hostnames and selectors with adapters.js's functions, the ones the content
  // scripts use.
  assert.deepEqual(detect.js, ['content/adapters.js', 'content/detect.js']);
  assert.deepEqual([...detect.exclude_matches].sort(), [...main.matches].sort());
});

test('every file the manifest names exists', () => {
  for (const f of [...manifest.content_scripts.flatMap((cs) => cs.js), 'popup/popup.html', 'managed_schema.json',
    ...Object.values(manifest.icons)]) assert.ok(existsSync(path.join(root, f)), f);
});

test('no innerHTML, eval or remote code anywhere in the extension', () => {
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p); else if (/\.(js|html)$/.test(e.name)) files.push(p);
    }
  };
  walk(root);
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    assert.doesNotMatch(src, /\.innerHTML|outerHTML|insertAdjacentHTML|\beval\(|new Function\(/, f);
    assert.doesNotMatch(src, /<script[^>]+src=["']https?:/, f);
    assert.doesNotMatch(src, /import\s*\(?\s*['"]https?:/, f);
  }
});

test('managed schema: Chrome subset (one type per schema, top level object)', () => {
  const schema = readJson('managed_schema.json');
  assert.equal(schema.type, 'object');
  assert.equal(schema.additionalProperties, undefined);
  const check = (s, where) => {
    assert.equal(typeof s.type, 'string', `${where}: exactly one type`);
    for (const [k, v] of Object.entries(s.properties ?? {})) check(v, `${where}.${k}`);
    if (s.items) check(s.items, `${where}[]`);
    if (s.additionalProperties) check(s.additionalProperties, `${where}.*`);
  };
  check(schema, 'schema');
  for (const k of ['enforce', 'require_reason', 'fail_closed', 'policy_url', 'rules_bundle', 'sites']) {
    assert.ok(schema.properties[k], k);
  }
});
