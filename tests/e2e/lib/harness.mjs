// A minimal sequential test runner and the page-level helpers the end-to-end suites share.
// Sequential on purpose: one browser at a time on a shared 2-core machine, and tests that kill the
// host must not race others. Prints "ok"/"not ok" per test and ends with "N passed, N failed".
import { until } from './browser.mjs';
import { readOverlay, center } from './overlay.mjs';

// What both suites type and look for: the rule ids of tests/e2e/rules/e2e-pack.json, and a sample
// with emoji (one with a skin-tone modifier: four UTF-16 units), Japanese and Cyrillic before the
// words, and a hashtag that the X and Bluesky fixtures render in its own nested span.
export const CODE = 'confidential.e2e-code-name';
export const KEY = 'secret.e2e-aws-access-key';
export const TONE = 'tone.e2e-crap';
export const SAMPLE = 'Hi 😀👍🏽 日本語のテキスト Здравствуйте #launch Halcyon ships; key AKIAZ7Q3LXR5T2VW9KPM';
export const QUIET_MS = 600; // how long "nothing else happens" is watched for

// The host binary from $GUARDPOST_BIN, or a reported setup failure with the summary line.
export function hostBinaryOrExit(hostBinary) {
  try {
    return hostBinary();
  } catch (e) {
    console.log(`not ok 1 - setup: ${e.message}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

export function createRunner() {
  const groups = [];
  const filter = process.env.E2E_FILTER || process.argv.slice(2).find((a) => !a.startsWith('-')) || '';
  return {
    // A group shares one browser: setup() returns the state handed to each test; teardown(state).
    group(name, { setup, teardown }, define) {
      const tests = [];
      define((tname, fn, { timeout = 30000 } = {}) => tests.push({ name: `${name}: ${tname}`, fn, timeout }));
      groups.push({ name, setup, teardown, tests });
    },
    async run() {
      let passed = 0, failed = 0, n = 0;
      const failures = [];
      for (const g of groups) {
        const tests = g.tests.filter((t) => t.name.includes(filter));
        if (!tests.length) continue;
        let state;
        try {
          state = await g.setup();
        } catch (e) {
          for (const t of tests) {
            n++; failed++;
            console.log(`not ok ${n} - ${t.name} # setup failed: ${e.message}`);
            failures.push(t.name);
          }
          continue;
        }
        for (const t of tests) {
          n++;
          const t0 = Date.now();
          try {
            await withTimeout(t.fn(state), t.timeout, t.name);
            passed++;
            console.log(`ok ${n} - ${t.name} (${Date.now() - t0} ms)`);
          } catch (e) {
            failed++;
            failures.push(t.name);
            console.log(`not ok ${n} - ${t.name} (${Date.now() - t0} ms)`);
            console.log(String(e && e.stack || e).split('\n').map((l) => `    ${l}`).join('\n'));
            if (state?.diagnose) {
              try { console.log(`    diagnostics: ${await state.diagnose()}`); } catch { /* browser gone */ }
            }
          }
        }
        try { await g.teardown?.(state); } catch (e) { console.log(`# teardown of ${g.name}: ${e.message}`); }
      }
      if (failures.length) console.log(`# failed: ${failures.join('; ')}`);
      console.log(`${passed} passed, ${failed} failed`);
      return failed === 0 && passed > 0;
    },
  };
}

function withTimeout(p, ms, name) {
  let timer;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`test timed out after ${ms} ms: ${name}`)), ms); }),
  ]);
}

export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

export function assertEqual(actual, expected, msg) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${msg}: expected ${e}, got ${a}`);
}

// Holds for `ms`: proves that something does NOT happen (e.g. a second post). This is the only
// kind of fixed wait in the suites; every positive condition is polled for.
export async function stays(fn, ms, what) {
  const end = Date.now() + ms;
  const first = JSON.stringify(await fn());
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 25));
    const now = JSON.stringify(await fn());
    if (now !== first) throw new Error(`${what} changed from ${first} to ${now}`);
  }
}

// ---------- page helpers ----------

// Opens a fixture composer and focuses its editor.
export async function openComposer(page, site) {
  await page.goto(site.url);
  await page.waitForFunction(() => document.documentElement.dataset.fixtureReady, null, { timeout: 10000 });
  await page.click(site.editor);
}

export async function typeText(page, text) {
  await page.keyboard.type(text);
}

export const model = (page) => page.evaluate(() => window.__fixture.text);
export const posted = (page) => page.evaluate(() => window.__posted.slice());
export const foreign = (page) => page.evaluate(() => window.__fixture.foreign.slice());

// Offsets of `needle` in the editor's model text.
export async function offsetsOf(page, needle, from = 0) {
  const t = await model(page);
  const i = t.indexOf(needle, from);
  if (i < 0) throw new Error(`"${needle}" is not in the editor's text ${JSON.stringify(t)}`);
  return { start: i, end: i + needle.length };
}

// Waits until the overlay shows marks satisfying `pred(marks)`; returns the snapshot.
export async function waitForMarks(page, pred, { timeout = 10000, what = 'highlights' } = {}) {
  let last;
  try {
    return await until(async () => {
      last = await readOverlay(page);
      return pred(last.marks) ? last : null;
    }, { timeout, interval: 30, what });
  } catch (e) {
    throw new Error(`${e.message}; last marks: ${JSON.stringify(last?.marks?.map((m) => ({ rule: m.rule, box: m.box })))}`);
  }
}

export const marksFor = (marks, rule) => marks.filter((m) => m.rule === rule);

// Where the words [start, end) of the editor's text are laid out in the page.
export const wordRects = (page, { start, end }) =>
  page.evaluate(([a, b]) => window.__fixture.rects(a, b), [start, end]);

// Waits until the highlights of `rule` sit on the words [start, end) (within compareRects'
// tolerance), re-reading both, since the page may still be laying out or scrolling.
export async function waitForMarksOn(page, rule, span, what) {
  let diff = 'not read yet';
  try {
    await until(async () => {
      const o = await readOverlay(page);
      diff = compareRects(await wordRects(page, span), marksFor(o.marks, rule).map((m) => m.box));
      return diff === null;
    }, { interval: 30, what });
  } catch (e) {
    throw new Error(`${e.message}; last difference: ${diff}`);
  }
}

// Compares the highlight rectangles of one finding with the rectangles of the words in the page.
// Rectangles are grouped into lines; per line, left and right edges must agree within `tol` px and
// the highlight must sit on the words' line box. Returns null or a description of the mismatch.
export function compareRects(expected, actual, tol = 2) {
  const lines = (rs) => {
    const out = [];
    for (const r of [...rs].sort((a, b) => a.y - b.y || a.x - b.x)) {
      const cy = r.y + r.height / 2;
      const line = out.find((l) => Math.abs(l.cy - cy) < Math.max(4, r.height / 2));
      if (line) {
        line.left = Math.min(line.left, r.x); line.right = Math.max(line.right, r.x + r.width);
        line.top = Math.min(line.top, r.y); line.bottom = Math.max(line.bottom, r.y + r.height);
      } else out.push({ cy, left: r.x, right: r.x + r.width, top: r.y, bottom: r.y + r.height });
    }
    return out;
  };
  const e = lines(expected), a = lines(actual);
  const fmt = (ls) => JSON.stringify(ls.map((l) => [l.left, l.top, l.right, l.bottom].map((v) => Math.round(v * 10) / 10)));
  if (!e.length) return 'no expected rectangles (the words are not laid out?)';
  if (e.length !== a.length) return `expected ${e.length} line(s) ${fmt(e)}, highlight has ${a.length} ${fmt(a)}`;
  for (let i = 0; i < e.length; i++) {
    const x = e[i], y = a[i];
    if (Math.abs(x.left - y.left) > tol || Math.abs(x.right - y.right) > tol) {
      return `line ${i}: words span x ${x.left.toFixed(1)}..${x.right.toFixed(1)}, highlight x ${y.left.toFixed(1)}..${y.right.toFixed(1)}`;
    }
    const overlap = Math.min(x.bottom, y.bottom) - Math.max(x.top, y.top);
    if (overlap < Math.min(x.bottom - x.top, y.bottom - y.top) * 0.6) {
      return `line ${i}: words span y ${x.top.toFixed(1)}..${x.bottom.toFixed(1)}, highlight y ${y.top.toFixed(1)}..${y.bottom.toFixed(1)}`;
    }
  }
  return null;
}

// Moves the mouse over the first rectangle of `rule`'s highlight and waits for the hover card.
export async function hoverMark(page, rule) {
  const snap = await waitForMarks(page, (ms) => marksFor(ms, rule).length > 0, { what: `a highlight for ${rule}` });
  const m = marksFor(snap.marks, rule)[0];
  const c = center(m.box);
  await page.mouse.move(c.x - 3, c.y);
  await page.mouse.move(c.x, c.y, { steps: 2 });
  return until(async () => {
    const o = await readOverlay(page);
    return o.card ? o : null;
  }, { what: `the hover card for ${rule}` });
}

export async function waitForDialog(page, what = 'the pre-post dialog') {
  return until(async () => {
    const o = await readOverlay(page);
    return o.dialog && o.dialog.box ? o : null;
  }, { what });
}

export async function waitForNoDialog(page) {
  return until(async () => !(await readOverlay(page)).dialog, { what: 'the dialog to close' });
}

export async function clickAt(page, control, what) {
  if (!control || !control.center) throw new Error(`no ${what} to click`);
  await page.mouse.click(control.center.x, control.center.y);
}
