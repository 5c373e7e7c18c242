// The browser demo: Chromium with the unpacked extension and the real host on the fixture
// composers (a local index at https://demo.guardpost.invalid/ linking X, LinkedIn, Bluesky and
// Mastodon look-alikes served at the real sites' addresses). It types a sample post into each
// composer, writes screenshots to out/demo/ and prints the findings it saw. With a display
// ($DISPLAY) the window stays open afterwards for you to try it; close it to exit.
// Started by scripts/demo-browser (GUARDPOST_BIN must point at a built guardpost).
import path from 'node:path';
import { makeProfile, launch, hostBinary, REPO } from './lib/browser.mjs';
import { DEMO_INDEX_URL } from './lib/fixtures.mjs';
import { tour, enableHooks, DEMO_RULES } from './lib/tour.mjs';

const headed = !!process.env.DISPLAY && process.env.GUARDPOST_DEMO_HEADLESS !== '1';
const outDir = path.resolve(process.env.GUARDPOST_DEMO_OUT || path.join(REPO, 'out/demo'));
const bin = hostBinary();
const profile = makeProfile({ bin, ...DEMO_RULES });
const b = await launch(profile, { headless: !headed, viewport: headed ? null : { width: 1000, height: 620 } });
let code = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { b.close().finally(() => process.exit(130)); });
}
try {
  await enableHooks(b.sw); // rule ids and offsets on the overlay, so the demo can print the flagged words
  console.log(`Guardpost demo: Chromium ${b.ctx.browser()?.version() ?? ''} ${headed ? 'headed' : 'headless'}, extension ${b.extensionId}, host ${bin}`);
  const results = await tour(b.page, { outDir });
  const total = results.reduce((n, r) => n + r.findings.length, 0);
  console.log(`${total} finding(s) on ${results.length} composers; screenshots in ${path.relative(process.cwd(), outDir) || outDir}/`);
  if (total === 0) code = 1;
  if (headed) {
    await b.page.goto(DEMO_INDEX_URL);
    console.log('The browser stays open on the demo index; close its window to exit.');
    await new Promise((resolve) => b.ctx.on('close', resolve));
  }
} catch (e) {
  console.error(`demo failed: ${e.message}`);
  code = 1;
} finally {
  await b.close();
}
process.exit(code);
