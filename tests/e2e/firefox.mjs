// The end-to-end suite in headless Firefox ESR over WebDriver BiDi: the same extension source tree
// (installed as a temporary add-on), the real host, the same fixture composers at the real sites'
// https URLs (a local HTTPS server; Firefox resolves the hostnames to 127.0.0.1 itself).
//   GUARDPOST_BIN=/abs/path/to/guardpost node tests/e2e/firefox.mjs [name filter]
//
// Differences from the Chromium suite (tests/e2e/run.mjs), because BiDi cannot enter a closed
// shadow root: the overlay is read through the extension's test hooks (attributes on
// <guardpost-overlay> with rule ids, offsets and boxes, never text; switched on with the managed
// setting test_hooks in $HOME/.mozilla/managed-storage), so the hover card's words are not checked
// here, and mark geometry is what the extension placed rather than the laid-out boxes.
import { SITES, site } from './lib/fixtures.mjs';
import { makeProfile, hostBinary, hostPids, until } from './lib/browser.mjs';
import { launchFirefox } from './lib/firefox.mjs';
import {
  CODE, KEY, TONE, SAMPLE, QUIET_MS, hostBinaryOrExit, createRunner, assert, assertEqual, stays, compareRects,
} from './lib/harness.mjs';

const bin = hostBinaryOrExit(hostBinary);
const runner = createRunner();

// ---- page helpers (BiDi) ----

const hooks = (page) => page.evaluate(() => {
  const h = document.querySelector('guardpost-overlay');
  if (!h) return null;
  const j = (n) => { const v = h.getAttribute(n); return v === null ? null : JSON.parse(v); };
  return { state: h.getAttribute('data-gp-state'), checks: Number(h.getAttribute('data-gp-checks') || 0),
    marks: j('data-gp-marks') || [], card: j('data-gp-card'), dialog: j('data-gp-dialog'), banner: j('data-gp-banner') || [] };
});
const model = (page) => page.evaluate(() => window.__fixture.text);
const posted = (page) => page.evaluate(() => window.__posted.slice());
const foreign = (page) => page.evaluate(() => window.__fixture.foreign.slice());
const mid = (b) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });
const marksFor = (h, rule) => (h?.marks || []).filter((m) => m.rule === rule);
const boxes = (ms) => ms.flatMap((m) => m.rects.map((r) => ({ x: r.x, y: r.y, width: r.w, height: r.h })));

async function open(page, s) {
  await page.goto(s.url);
  await until(() => page.evaluate(() => document.documentElement.dataset.fixtureReady), { what: 'the fixture' });
  // No wait for the content script: if it starts after the click, it picks up the focused editor.
  const b = await page.evaluate((sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return { x: r.x + 12, y: r.y + 10 }; }, s.editor);
  await page.click(b.x, b.y);
}

async function waitMarks(page, pred, what = 'highlights', timeout = 15000) {
  let last;
  try {
    return await until(async () => { last = await hooks(page); return last && pred(last) ? last : null; }, { what, timeout });
  } catch (e) {
    throw new Error(`${e.message}; last: ${JSON.stringify(last)}`);
  }
}

async function wordsRects(page, words) {
  return page.evaluate((w) => {
    const t = window.__fixture.text;
    const i = t.indexOf(w);
    return i < 0 ? [] : window.__fixture.rects(i, i + w.length);
  }, words);
}

async function clickSelector(page, sel) {
  const b = await page.evaluate((s) => { const r = document.querySelector(s).getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; }, sel);
  await page.click(b.x, b.y);
}

function setup(opts = {}) {
  return async () => {
    const profile = makeProfile({ bin });
    const f = await launchFirefox(profile, { bin, settings: { test_hooks: true }, ...opts });
    return { ...f, profile, diagnose: async () => JSON.stringify({ hooks: await hooks(f.page), model: await model(f.page).catch(() => null), pids: hostPids(bin, profile) }) };
  };
}
const teardown = async (s) => { await s?.close(); };

runner.group('firefox', { setup: setup(), teardown }, (test) => {
  for (const s of SITES) {
    test(`${s.name} (${s.kind}): highlights land on the exact words after emoji and non-Latin text`, async ({ page }) => {
      await open(page, s);
      await page.type(SAMPLE);
      assertEqual(await model(page), SAMPLE, 'the editor model after typing');
      const h = await waitMarks(page, (x) => marksFor(x, CODE).length && marksFor(x, KEY).length);
      for (const [rule, words] of [[CODE, 'Halcyon'], [KEY, 'AKIAZ7Q3LXR5T2VW9KPM']]) {
        const diff = compareRects(await wordsRects(page, words), boxes(marksFor(h, rule)), 2.5);
        assert(diff === null, `${rule} vs "${words}": ${diff}`);
      }
      assertEqual(await foreign(page), [], 'mutations of the editor DOM not made by the editor');
    });

    test(`${s.name}: hover card, then Apply changes the editor's own model`, async ({ page }) => {
      await open(page, s);
      await page.type(SAMPLE);
      const h = await waitMarks(page, (x) => marksFor(x, CODE).length > 0);
      const c = mid(marksFor(h, CODE)[0].rects[0]);
      await page.mouseMove(c.x, c.y);
      const withCard = await waitMarks(page, (x) => x.card && x.card.rule === CODE, 'the hover card');
      assert(withCard.card.apply && withCard.card.link, `card has Apply and a policy link: ${JSON.stringify(withCard.card)}`);
      const a = mid(withCard.card.apply);
      await page.click(a.x, a.y);
      await until(async () => (await model(page)) === SAMPLE.replace('Halcyon', 'our new project'), { what: 'the suggestion in the model' });
      await waitMarks(page, (x) => marksFor(x, CODE).length === 0 && marksFor(x, KEY).length > 0, 'the code-name mark to go');
      assertEqual(await foreign(page), [], 'mutations of the editor DOM not made by the editor');
    });

    test(`${s.name}: the gate stops Post; Post anyway posts exactly once`, async ({ page }) => {
      await open(page, s);
      await page.type('Halcyon ships next week');
      await waitMarks(page, (x) => marksFor(x, CODE).length > 0);
      await clickSelector(page, s.post);
      const h = await waitMarks(page, (x) => x.dialog && x.dialog.post, 'the dialog');
      assertEqual(h.dialog.rules, [CODE], 'the dialog is about the code name');
      assertEqual(await posted(page), [], 'posts while the dialog is open');
      const p = mid(h.dialog.post);
      await page.click(p.x, p.y);
      await until(async () => (await posted(page)).length > 0, { what: 'the post' });
      await stays(() => posted(page), QUIET_MS, 'the post list');
      assertEqual(await posted(page), ['Halcyon ships next week'], 'posted exactly once');
    });
  }

  test('x: the gate catches Ctrl+Enter; Post anyway posts exactly once', async ({ page }) => {
    const s = site('x');
    await open(page, s);
    await page.type('This is crap');
    await waitMarks(page, (x) => marksFor(x, TONE).length > 0);
    await page.press('Control+Enter');
    const h = await waitMarks(page, (x) => x.dialog && x.dialog.post, 'the dialog');
    const p = mid(h.dialog.post);
    await page.click(p.x, p.y);
    await until(async () => (await posted(page)).length > 0, { what: 'the post' });
    await stays(() => posted(page), QUIET_MS, 'the post list');
    assertEqual(await posted(page), ['This is crap'], 'posted exactly once');
  });

  test('host killed mid-session: the extension reconnects and the next check works', async ({ page, profile }) => {
    await open(page, site('x'));
    await page.type('Halcyon first');
    await waitMarks(page, (x) => marksFor(x, CODE).length > 0);
    const before = await until(() => { const p = hostPids(bin, profile); return p.length === 1 ? p : null; }, { what: 'one host process' });
    process.kill(before[0], 'SIGKILL');
    await until(() => !hostPids(bin, profile).includes(before[0]), { what: 'the killed host to be gone' });
    await page.type(' and this crap');
    await waitMarks(page, (x) => marksFor(x, TONE).length > 0 && marksFor(x, CODE).length > 0, 'a check answered by a new host');
    const after = hostPids(bin, profile);
    assert(after.length === 1 && after[0] !== before[0], `a new host process: before ${before}, after ${after}`);
  });
});

runner.group('firefox, host missing', { setup: setup({ hostManifest: 'missing-binary' }), teardown }, (test) => {
  test('the composer shows a "not being checked" banner; posting is not held', async ({ page }) => {
    const s = site('x');
    await open(page, s);
    await page.type('Halcyon ships next week');
    const h = await waitMarks(page, (x) => x.banner.length > 0, 'the banner');
    assert(['host_missing', 'host_crashed', 'host_error'].includes(h.banner[0].state), `banner state ${h.banner[0].state}`);
    assertEqual(h.marks.length, 0, 'no highlights without a host');
    await clickSelector(page, s.post);
    await until(async () => (await posted(page)).length > 0, { what: 'the post' });
    await stays(() => posted(page), QUIET_MS / 2, 'the post list');
    assertEqual((await posted(page)).length, 1, 'posted once');
  });
});

// The organization's settings come from managed storage, which Firefox reads per HOME, so these
// run hermetically here (Chromium reads them from the machine-wide /etc/chromium/policies).
runner.group('firefox, organization enforces', { setup: setup({ settings: { test_hooks: true, enforce: true } }), teardown }, (test) => {
  test('a block finding cannot be posted anyway: the dialog offers Edit only', async ({ page }) => {
    const s = site('x');
    await open(page, s);
    await page.type('Halcyon ships next week');
    await waitMarks(page, (x) => marksFor(x, CODE).length > 0);
    await clickSelector(page, s.post);
    const h = await waitMarks(page, (x) => x.dialog, 'the dialog');
    assertEqual(h.dialog.action, 'block', 'dialog action');
    assertEqual(h.dialog.post, null, 'no Post anyway button');
    const e = mid(h.dialog.edit);
    await page.click(e.x, e.y);
    await waitMarks(page, (x) => !x.dialog, 'the dialog to close');
    await stays(() => posted(page), QUIET_MS / 2, 'the post list');
    assertEqual(await posted(page), [], 'nothing posted');
  });
});

runner.group('firefox, organization requires a reason', { setup: setup({ settings: { test_hooks: true, require_reason: true } }), teardown }, (test) => {
  test('Post anyway past a block finding needs a reason, then posts exactly once', async ({ page }) => {
    const s = site('x');
    await open(page, s);
    await page.type('Halcyon ships next week');
    await waitMarks(page, (x) => marksFor(x, CODE).length > 0);
    await clickSelector(page, s.post);
    const h = await waitMarks(page, (x) => x.dialog && x.dialog.reason, 'the dialog with a reason field');
    assert(h.dialog.needReason === true, 'needReason');
    const p = mid(h.dialog.post);
    await page.click(p.x, p.y); // disabled while the reason is empty
    await stays(() => posted(page), QUIET_MS / 2, 'the post list');
    assertEqual(await posted(page), [], 'no post without a reason');
    const r = mid(h.dialog.reason);
    await page.click(r.x, r.y);
    await page.type('test name, approved by comms');
    assertEqual(await model(page), 'Halcyon ships next week', 'typing the reason did not reach the editor');
    await page.click(p.x, p.y);
    await until(async () => (await posted(page)).length > 0, { what: 'the post' });
    await stays(() => posted(page), QUIET_MS, 'the post list');
    assertEqual(await posted(page), ['Halcyon ships next week'], 'posted exactly once');
  });
});

runner.group('firefox, fail-closed with the host missing', {
  setup: setup({ hostManifest: 'missing-binary', settings: { test_hooks: true, fail_closed: true } }), teardown,
}, (test) => {
  test('posting is held with an explanation', async ({ page }) => {
    const s = site('x');
    await open(page, s);
    await page.type('Nothing risky here');
    await waitMarks(page, (x) => x.banner.length > 0 && x.banner[0].held, 'the "on hold" banner');
    await clickSelector(page, s.post);
    const h = await waitMarks(page, (x) => x.dialog, 'the dialog');
    assertEqual(h.dialog.action, 'hold', 'dialog action');
    assertEqual(h.dialog.post, null, 'no Post anyway while held');
    await stays(() => posted(page), QUIET_MS / 2, 'the post list');
    assertEqual(await posted(page), [], 'nothing posted');
  });
});

const ok = await runner.run();
process.exit(ok ? 0 : 1);
