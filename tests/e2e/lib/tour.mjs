// A scripted walk through the fixture composers, shared by the demo (scripts/demo-browser) and the
// README screenshots (tests/e2e/screenshots.mjs): type a sample post into each composer, wait for
// the highlights, open the hover card, and report what the extension showed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SITES, DEMO_INDEX_URL } from './fixtures.mjs';
import { until, REPO } from './browser.mjs';
import { readOverlay, center } from './overlay.mjs';
import { openComposer, waitForDialog } from './harness.mjs';

export const SAMPLES = {
  x: 'Big week! 🚀 Halcyon ships Monday, the beta key is AKIAZ7Q3LXR5T2VW9KPM (don\'t share)',
  linkedin: 'Proud of the team 🙌 Halcyon is finally ready for our first customers.\nQuestions? Call me on +44 7700 900123',
  bluesky: 'Can\'t say much yet, but Halcyon is going to be huge 🎉 Q3 revenue is up 40% before the earnings call!!!',
  mastodon: 'Note to self: the deploy key AKIAZ7Q3LXR5T2VW9KPM goes in the vault, not in a toot.',
};

// The demo's rules: the shipped packs (rules/) as the built-in layer and a small organization
// pack with a hashed code name as the system layer, as a deployment would have them.
export const DEMO_RULES = {
  rules: path.join(REPO, 'rules'),
  systemRules: path.join(REPO, 'tests/e2e/rules-demo'),
};

// Turns on the overlay's page-visible test hooks (rule ids, offsets and boxes; never text), so the
// tour can print which words were flagged. Must run before the composer page loads.
export async function enableHooks(sw) {
  await sw.evaluate(() => chrome.storage.local.set({ guardpost_test_hooks: true }));
}

const checksDrawn = (page) => page.evaluate(() => Number(document.querySelector('guardpost-overlay')?.getAttribute('data-gp-checks') ?? 0));

// Types `text`, then waits until the check of the whole text has been drawn (the debounce makes
// that check start 250 ms after the last keystroke, so it is the first one answered after typing
// ends). Returns the hook's marks.
async function typeAndSettle(page, text) {
  await page.keyboard.type(text);
  const n0 = await checksDrawn(page);
  return until(async () => {
    const a = await page.evaluate(() => {
      const h = document.querySelector('guardpost-overlay');
      return h && { state: h.getAttribute('data-gp-state'), marks: h.getAttribute('data-gp-marks'),
        checks: Number(h.getAttribute('data-gp-checks')) };
    });
    if (!a || a.checks <= n0 || (a.state !== 'findings' && a.state !== 'clean')) return null;
    return JSON.parse(a.marks || '[]');
  }, { what: 'the check of the sample post', timeout: 15000 });
}

// For each site: type, wait, hover the first mark; screenshot into outDir as <site>.png.
// Returns [{site, findings: [{rule, severity, words}]}].
export async function tour(page, { outDir, log = console.log, only, sites = SITES.filter((s) => !s.extra), clip = false } = {}) {
  if (outDir) mkdirSync(outDir, { recursive: true });
  const results = [];
  if (outDir) {
    await page.goto(DEMO_INDEX_URL);
    await page.screenshot({ path: path.join(outDir, 'index.png') });
  }
  for (const s of sites) {
    if (only && !only.includes(s.name)) continue;
    await openComposer(page, s);
    const marks = await typeAndSettle(page, SAMPLES[s.name]);
    const text = await page.evaluate(() => window.__fixture.text);
    const seen = new Map();
    for (const m of marks) {
      const k = `${m.rule}@${m.start}`;
      if (!seen.has(k)) seen.set(k, { rule: m.rule, severity: m.severity, words: text.slice(m.start, m.end) });
    }
    const findings = [...seen.values()];
    let card = null;
    const o = await readOverlay(page);
    if (o.marks.length) {
      // The lowest mark: its card opens below it and hides none of the others.
      const last = o.marks.reduce((a, m) => (m.box.y > a.box.y || (m.box.y === a.box.y && m.box.x > a.box.x) ? m : a));
      const c = center(last.box);
      await page.mouse.move(c.x - 2, c.y);
      await page.mouse.move(c.x, c.y, { steps: 2 });
      card = await until(async () => (await readOverlay(page)).card, { what: 'the hover card' }).catch(() => null);
    }
    log(`${s.name} (${new URL(s.url).host}, ${s.kind} editor): ${findings.length} finding(s)`);
    for (const f of findings) log(`  ${f.severity.padEnd(5)} ${f.rule}: "${f.words}"`);
    if (card) log(`  hover card: ${card.text.replace(/\s+/g, ' ').trim()}`);
    if (outDir) {
      const file = path.join(outDir, `${s.name}.png`);
      await page.screenshot({ path: file, ...(clip ? { clip: await clipAround(page, s, card) } : {}) });
    }
    results.push({ site: s.name, findings, card: card?.text ?? null });
  }
  return results;
}

// The gate dialog for one site's sample post; screenshot to `file`. Leaves the dialog open.
export async function showGate(page, s, file) {
  await openComposer(page, s);
  await typeAndSettle(page, SAMPLES[s.name]);
  await page.mouse.move(5, 5);
  await page.click(s.post);
  const o = await waitForDialog(page);
  if (file) await page.screenshot({ path: file });
  return o.dialog;
}

// A region around the composer and the hover card, for tighter README images.
async function clipAround(page, s, card) {
  const e = await page.locator(s.editor).boundingBox();
  let x0 = e.x - 80, y0 = e.y - 90, x1 = e.x + e.width + 40, y1 = e.y + e.height + 80;
  if (card?.box) {
    x0 = Math.min(x0, card.box.x - 20); y0 = Math.min(y0, card.box.y - 20);
    x1 = Math.max(x1, card.box.x + card.box.width + 20); y1 = Math.max(y1, card.box.y + card.box.height + 20);
  }
  const vp = page.viewportSize();
  x0 = Math.max(0, x0); y0 = Math.max(0, y0); x1 = Math.min(vp.width, x1); y1 = Math.min(vp.height, y1);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
