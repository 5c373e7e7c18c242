// The fixture composers and where they are served: at the real sites' https URLs, so that the
// extension's adapters for those sites are what the tests exercise. Chromium tests fulfil the
// requests with Playwright's ctx.route (no server); other drivers can use fixtureResponse() from a
// local HTTPS server that picks the page by Host header.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

// name: used in test names; url: where the page is served; file: the page under fixtures/;
// editor/post: selectors of the site's composer and Post button (the real site's DOM); extra: not
// one of the four composer kinds of the demo (another site of a kind already covered).
export const SITES = [
  { name: 'x', url: 'https://x.com/compose/post', file: 'x.html', kind: 'draft',
    editor: '[data-testid="tweetTextarea_0"]', post: '[data-testid="tweetButton"]' },
  { name: 'linkedin', url: 'https://www.linkedin.com/feed/', file: 'linkedin.html', kind: 'quill',
    editor: '.ql-editor', post: 'button.share-actions__primary-action' },
  { name: 'bluesky', url: 'https://bsky.app/', file: 'bluesky.html', kind: 'prosemirror',
    editor: '.ProseMirror', post: '[data-testid="composerPublishBtn"]' },
  { name: 'mastodon', url: 'https://mastodon.social/home', file: 'mastodon.html', kind: 'textarea',
    editor: 'textarea.autosuggest-textarea__textarea', post: '.compose-form__submit button' },
  // Old Reddit's submit form: a plain textarea, and a submit button in the same form.
  { name: 'reddit', url: 'https://old.reddit.com/r/test/submit', file: 'reddit.html', kind: 'textarea',
    editor: 'textarea[name="text"]', post: 'button[type="submit"][name="submit"]', extra: true },
  // Mastodon on an instance no list names: the extension must recognize it by its page structure.
  { name: 'mastodon-instance', url: 'https://social.example.net/home', file: 'mastodon.html', kind: 'textarea',
    editor: 'textarea.autosuggest-textarea__textarea', post: '.compose-form__submit button', extra: true },
];

export const DEMO_INDEX_URL = 'https://demo.guardpost.invalid/';

export function site(name) {
  const s = SITES.find((x) => x.name === name);
  if (!s) throw new Error(`no fixture site ${name}`);
  return s;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };

// What to answer for a request to `url`: {status, contentType, body}. Paths under /__fixture/ are
// files of the fixture directory on every host; anything else on a fixture host is that host's page.
export async function fixtureResponse(url) {
  const u = new URL(url);
  if (u.pathname.startsWith('/__fixture/')) {
    const name = path.basename(u.pathname);
    try {
      const body = await readFile(path.join(FIXTURE_DIR, name));
      return { status: 200, contentType: TYPES[path.extname(name)] || 'application/octet-stream', body };
    } catch {
      return { status: 404, contentType: 'text/plain', body: 'not found' };
    }
  }
  if (u.origin === new URL(DEMO_INDEX_URL).origin) {
    return { status: 200, contentType: TYPES['.html'], body: await readFile(path.join(FIXTURE_DIR, 'index.html')) };
  }
  const s = SITES.find((x) => new URL(x.url).host === u.host);
  if (!s || u.pathname === '/favicon.ico') return { status: 404, contentType: 'text/plain', body: 'not found' };
  return { status: 200, contentType: TYPES['.html'], body: await readFile(path.join(FIXTURE_DIR, s.file)) };
}

export function fixtureHosts() {
  return [...new Set([...SITES.map((s) => new URL(s.url).host), new URL(DEMO_INDEX_URL).host])];
}

// Serves every fixture host through Playwright's router. Call before the first navigation.
export async function routeFixtures(ctx) {
  for (const host of fixtureHosts()) {
    await ctx.route(`https://${host}/**`, async (route) => {
      const r = await fixtureResponse(route.request().url());
      await route.fulfill({ status: r.status, contentType: r.contentType, body: r.body });
    });
  }
}
