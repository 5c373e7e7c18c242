// Browser end-to-end tests: Debian's headless Chromium, the real unpacked extension, the real
// native host ($GUARDPOST_BIN) registered for a throwaway profile, and fixture composers served at
// the real sites' https URLs. Usage:
//   GUARDPOST_BIN=/abs/path/to/guardpost node tests/e2e/run.mjs [name filter]
// Ends with "N passed, N failed"; exits 1 when anything failed.
import { SITES, site } from './lib/fixtures.mjs';
import { makeProfile, launch, hostBinary, hostPids, until } from './lib/browser.mjs';
import { readOverlay } from './lib/overlay.mjs';
import {
  CODE, KEY, TONE, SAMPLE, QUIET_MS, hostBinaryOrExit,
  createRunner, assert, assertEqual, stays, openComposer, typeText, model, posted, foreign, offsetsOf,
  waitForMarks, waitForMarksOn, wordRects, marksFor, compareRects, hoverMark, waitForDialog, waitForNoDialog, clickAt,
} from './lib/harness.mjs';

const bin = hostBinaryOrExit(hostBinary);
const runner = createRunner();

function mainGroupSetup(opts = {}) {
  return async () => {
    const profile = makeProfile({ bin, ...opts });
    const errors = [];
    const b = await launch(profile);
    b.page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    // Every http(s) request the browser makes for pages or for the extension's worker.
    const requests = [];
    b.ctx.on('request', (r) => { if (/^https?:/.test(r.url())) requests.push(r.url()); });
    return {
      ...b, profile, errors, requests,
      diagnose: async () => JSON.stringify({
        url: b.page.url(),
        model: await model(b.page).catch(() => null),
        overlay: await readOverlay(b.page).then((o) => ({ present: o.present, marks: o.marks.map((m) => m.rule),
          card: !!o.card, dialog: !!o.dialog, banners: o.banners.map((x) => x.text) })).catch((e) => e.message),
        hostPids: hostPids(bin, profile),
        errors,
      }),
    };
  };
}

const teardown = async (s) => { await s?.close(); };

// Types a code name into the X composer, waits for its highlight, and returns the pid of the one
// host process that checked it, for tests that then take the host or the worker away.
async function checkedByOneHost(page, profile) {
  await openComposer(page, site('x'));
  await typeText(page, 'Halcyon first');
  await waitForMarks(page, (ms) => marksFor(ms, CODE).length > 0);
  return until(() => { const p = hostPids(bin, profile); return p.length === 1 ? p : null; },
    { what: 'exactly one host process for this browser' });
}

runner.group('chromium', { setup: mainGroupSetup(), teardown }, (test) => {
  for (const s of SITES) {
    test(`${s.name} (${s.kind}): highlights land on the exact words after emoji and non-Latin text`, async ({ page }) => {
      await openComposer(page, s);
      await typeText(page, SAMPLE);
      assertEqual(await model(page), SAMPLE, 'the editor model after typing');
      const snap = await waitForMarks(page, (ms) => marksFor(ms, CODE).length && marksFor(ms, KEY).length,
        { what: 'highlights for the code name and the key' });
      assert(snap.closed, 'the overlay shadow root is closed');
      for (const [rule, words] of [[CODE, 'Halcyon'], [KEY, 'AKIAZ7Q3LXR5T2VW9KPM']]) {
        const expected = await wordRects(page, await offsetsOf(page, words));
        const got = marksFor(snap.marks, rule).map((m) => m.box);
        const diff = compareRects(expected, got);
        assert(diff === null, `${rule} highlight vs "${words}": ${diff}`);
        assert(marksFor(snap.marks, rule).every((m) => m.textLength === 0), 'marks carry no text');
      }
      assertEqual(marksFor(snap.marks, TONE).length, 0, 'no tone highlight for clean text');
      assertEqual(await foreign(page), [], 'mutations of the editor DOM not made by the editor');
    });

    test(`${s.name}: highlights follow edits before them and scrolling`, async ({ page }) => {
      await openComposer(page, s);
      await typeText(page, SAMPLE);
      await waitForMarks(page, (ms) => marksFor(ms, CODE).length > 0);
      // Type at the very start: the words move right; the highlight must follow.
      await page.keyboard.press('Control+Home');
      await typeText(page, '¡Olá! ');
      const code = await offsetsOf(page, 'Halcyon');
      await waitForMarksOn(page, CODE, code, 'the highlight to move with its words after an edit before it');
      // Scroll the page: fixed-position marks must be redrawn where the words now are.
      await page.evaluate(() => { document.body.style.minHeight = '3000px'; window.scrollTo(0, 40); });
      await waitForMarksOn(page, CODE, code, 'the highlight to follow a scroll');
      await page.evaluate(() => { window.scrollTo(0, 0); document.body.style.minHeight = ''; });
      assertEqual(await foreign(page), [], 'mutations of the editor DOM not made by the editor');
    });

    test(`${s.name}: hover card shows the message, the suggestion and the policy link`, async ({ page }) => {
      await openComposer(page, s);
      await typeText(page, SAMPLE);
      const o = await hoverMark(page, CODE);
      assert(o.card.text.includes('"Halcyon" is an unreleased project code name.'), `card message: ${o.card.text}`);
      assert(o.card.text.includes('our new project'), `card suggestion: ${o.card.text}`);
      assert(o.card.link && o.card.link.href === 'https://intranet.example/policy#code-names', `policy link: ${JSON.stringify(o.card.link)}`);
      assert(o.card.apply && o.card.apply.box && o.card.apply.box.width > 0, 'an Apply button is shown');
      assertEqual(await foreign(page), [], 'mutations of the editor DOM not made by the editor');
    });

    test(`${s.name}: Apply changes the editor's own model, and the highlight goes`, async ({ page }) => {
      await openComposer(page, s);
      await typeText(page, SAMPLE);
      const o = await hoverMark(page, CODE);
      await clickAt(page, o.card.apply, 'Apply button');
      await until(async () => (await model(page)).includes('our new project ships'), { what: 'the suggestion in the editor model' });
      const text = await model(page);
      assertEqual(text, SAMPLE.replace('Halcyon', 'our new project'), 'the editor model after Apply');
      await waitForMarks(page, (ms) => marksFor(ms, CODE).length === 0 && marksFor(ms, KEY).length > 0,
        { what: 'the code-name highlight to go while the key stays' });
      // The key's highlight is still on its words after the text before it changed length.
      await waitForMarksOn(page, KEY, await offsetsOf(page, 'AKIAZ7Q3LXR5T2VW9KPM'),
        'the key highlight on its words after Apply');
      // What the site would post is the edited text.
      assertEqual(await foreign(page), [], 'mutations of the editor DOM not made by the editor');
    });

    test(`${s.name}: the gate stops Post; Edit posts nothing; Post anyway posts exactly once`, async ({ page }) => {
      await openComposer(page, s);
      await typeText(page, 'Halcyon ships next week');
      await waitForMarks(page, (ms) => marksFor(ms, CODE).length > 0);
      await page.click(s.post);
      let o = await waitForDialog(page);
      assert(o.dialog.text.includes('"Halcyon" is an unreleased project code name.'), `dialog lists the finding: ${o.dialog.text}`);
      assertEqual(await posted(page), [], 'posts while the dialog is open');
      await clickAt(page, o.dialog.edit, 'Edit button');
      await waitForNoDialog(page);
      await stays(() => posted(page), QUIET_MS / 2, 'the post list after Edit');
      assertEqual(await posted(page), [], 'posts after Edit');
      await page.click(s.post);
      o = await waitForDialog(page);
      assert(o.dialog.postAnyway, 'a Post anyway button (the organization does not enforce)');
      await clickAt(page, o.dialog.postAnyway, 'Post anyway');
      await until(async () => (await posted(page)).length > 0, { what: 'the post to happen' });
      await stays(() => posted(page), QUIET_MS, 'the post list after Post anyway');
      assertEqual(await posted(page), ['Halcyon ships next week'], 'posted exactly once, with the text');
      assert(!(await readOverlay(page)).dialog, 'the dialog is gone');
    });

    test(`${s.name}: a clean post goes through at once, with no dialog`, async ({ page }) => {
      await openComposer(page, s);
      await typeText(page, 'Lovely weather at the offsite today ☀️');
      await page.click(s.post);
      await until(async () => (await posted(page)).length > 0, { what: 'the clean post' });
      await stays(() => posted(page), QUIET_MS / 2, 'the post list');
      assertEqual((await posted(page)).length, 1, 'posted once');
      assert(!(await readOverlay(page)).dialog, 'no dialog for a clean post');
    });
  }

  for (const name of ['x', 'bluesky', 'mastodon']) {
    const s = site(name);
    test(`${name}: the gate catches Ctrl+Enter; Post anyway posts exactly once`, async ({ page }) => {
      await openComposer(page, s);
      await typeText(page, 'This is crap, key AKIAZ7Q3LXR5T2VW9KPM');
      await waitForMarks(page, (ms) => marksFor(ms, KEY).length > 0 && marksFor(ms, TONE).length > 0);
      await page.keyboard.press('Control+Enter');
      const o = await waitForDialog(page);
      assert(o.dialog.text.includes('AWS access key'), `dialog lists the key: ${o.dialog.text}`);
      assertEqual(await posted(page), [], 'posts while the dialog is open');
      await clickAt(page, o.dialog.postAnyway, 'Post anyway');
      await until(async () => (await posted(page)).length > 0, { what: 'the post to happen' });
      await stays(() => posted(page), QUIET_MS, 'the post list after Post anyway');
      assertEqual(await posted(page), ['This is crap, key AKIAZ7Q3LXR5T2VW9KPM'], 'posted exactly once');
    });
  }

  test('advice without a replacement: the card shows it as text and offers no Apply', async ({ page }) => {
    await openComposer(page, site('x'));
    await typeText(page, 'This is crap');
    await waitForMarks(page, (ms) => marksFor(ms, TONE).length > 0);
    const o = await hoverMark(page, TONE);
    assert(o.card.text.includes('Say what went wrong instead.'), `card advice: ${o.card.text}`);
    assert(!o.card.apply, 'no Apply button for advice');
  });

  test('host killed mid-session: the extension reconnects and the next check works', async ({ page, profile }) => {
    const before = await checkedByOneHost(page, profile);
    process.kill(before[0], 'SIGKILL');
    await until(() => !hostPids(bin, profile).includes(before[0]), { what: 'the killed host to be gone' });
    await typeText(page, ' and this crap');
    await waitForMarks(page, (ms) => marksFor(ms, TONE).length > 0 && marksFor(ms, CODE).length > 0,
      { timeout: 15000, what: 'a check answered by a new host process' });
    const after = hostPids(bin, profile);
    assert(after.length === 1 && after[0] !== before[0], `a new host process: before ${before}, after ${after}`);
    const o = await readOverlay(page);
    assertEqual(o.banners.length, 0, 'no "not checking" banner once reconnected');
    const expected = await wordRects(page, await offsetsOf(page, 'crap'));
    assert(compareRects(expected, marksFor(o.marks, TONE).map((m) => m.box)) === null, 'the new highlight is on its words');
  });

  test('nothing but the fixture pages was requested: post text goes to the host only', async ({ page, requests }) => {
    // On its own this test makes its own traffic; after the others it covers theirs too.
    await openComposer(page, site('x'));
    await typeText(page, SAMPLE);
    await waitForMarks(page, (ms) => marksFor(ms, CODE).length > 0);
    const allowed = new Set(SITES.map((x) => new URL(x.url).origin));
    const other = requests.filter((u) => !allowed.has(new URL(u).origin));
    assert(requests.length > 0, 'requests were recorded');
    assertEqual(other, [], 'requests to anywhere else');
  });

  test('service worker stopped mid-session: the next check starts a new worker and a new host', async ({ page, ctx, profile }) => {
    const before = await checkedByOneHost(page, profile);
    // What Chromium does to an idle worker, made deterministic (recipe §7): close its target.
    const cdp = await ctx.newCDPSession(page);
    const { targetInfos } = await cdp.send('Target.getTargets');
    const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.includes('/background/'));
    assert(worker, `the extension's service worker target: ${JSON.stringify(targetInfos.map((t) => t.url))}`);
    await cdp.send('Target.closeTarget', { targetId: worker.targetId });
    await until(() => hostPids(bin, profile).length === 0, { what: 'the host to see its port close and exit' });
    await typeText(page, ' and this crap');
    await waitForMarks(page, (ms) => marksFor(ms, TONE).length > 0, { timeout: 15000, what: 'a check after the restart' });
    const after = hostPids(bin, profile);
    assert(after.length === 1 && after[0] !== before[0], `a new host process: before ${before}, after ${after}`);
    await cdp.detach();
  });
});

for (const [host, label] of [['missing-binary', 'the manifest points at a binary that does not exist'], ['none', 'no host manifest']]) {
  runner.group(`chromium, host missing (${label})`, { setup: mainGroupSetup({ host }), teardown }, (test) => {
    test('the composer shows a "not being checked" banner', async ({ page }) => {
      const s = site('x');
      await openComposer(page, s);
      await typeText(page, 'Halcyon ships next week');
      const o = await until(async () => {
        const snap = await readOverlay(page);
        return snap.banners.length ? snap : null;
      }, { what: 'the banner' });
      const b = o.banners[0];
      assert(/not (being )?check/i.test(b.text), `banner text: ${b.text}`);
      const editorBox = await page.locator(s.editor).boundingBox();
      assert(Math.abs(b.box.x - editorBox.x) < 40 && Math.abs(b.box.y - editorBox.y) < 120, `banner near the composer: ${JSON.stringify(b.box)} vs ${JSON.stringify(editorBox)}`);
      assertEqual(o.marks.length, 0, 'no highlights without a host');
    });
    test('posting is not held (the organization did not choose fail-closed)', async ({ page }) => {
      const s = site('x');
      await openComposer(page, s);
      await typeText(page, 'Halcyon ships next week');
      await page.click(s.post);
      await until(async () => (await posted(page)).length > 0, { what: 'the post', timeout: 10000 });
      await stays(() => posted(page), QUIET_MS / 2, 'the post list');
      assertEqual((await posted(page)).length, 1, 'posted once');
    });
  });
}

const ok = await runner.run();
process.exit(ok ? 0 : 1);
