// Screenshots of the warning UI for the README, from the real extension and host:
//   GUARDPOST_BIN=/abs/path/to/guardpost node tests/e2e/screenshots.mjs
// writes docs/screenshots/{warning-x,warning-linkedin,warning-mastodon,gate-dialog,host-missing-banner}.png
// with the demo rules: the shipped packs in rules/ plus tests/e2e/rules-demo (a hashed code name).
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { site } from './lib/fixtures.mjs';
import { makeProfile, launch, hostBinary, until, REPO } from './lib/browser.mjs';
import { readOverlay } from './lib/overlay.mjs';
import { openComposer } from './lib/harness.mjs';
import { tour, showGate, enableHooks, DEMO_RULES } from './lib/tour.mjs';

const OUT = path.join(REPO, 'docs/screenshots');
mkdirSync(OUT, { recursive: true });
const bin = hostBinary();
const written = [];

{
  const b = await launch(makeProfile({ bin, ...DEMO_RULES }), { viewport: { width: 1000, height: 620 } });
  try {
    await enableHooks(b.sw);
    for (const name of ['x', 'linkedin', 'mastodon']) {
      await tour(b.page, { only: [name], log: () => {} });
      const file = path.join(OUT, `warning-${name}.png`);
      await b.page.screenshot({ path: file });
      written.push(file);
    }
    const file = path.join(OUT, 'gate-dialog.png');
    await showGate(b.page, site('x'), file);
    written.push(file);
  } finally {
    await b.close();
  }
}

{
  const b = await launch(makeProfile({ bin, host: 'none', ...DEMO_RULES }), { viewport: { width: 1000, height: 420 } });
  try {
    const s = site('x');
    await openComposer(b.page, s);
    await b.page.keyboard.type('Halcyon ships Monday');
    await until(async () => (await readOverlay(b.page)).banners.length > 0, { what: 'the banner' });
    const file = path.join(OUT, 'host-missing-banner.png');
    await b.page.screenshot({ path: file });
    written.push(file);
  } finally {
    await b.close();
  }
}

for (const f of written) console.log(path.relative(REPO, f));
