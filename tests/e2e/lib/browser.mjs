// Browser plumbing for the end-to-end tests: a hermetic profile with the native host registered,
// Debian's Chromium launched by playwright-core with the unpacked extension, and helpers to find
// and kill the host process. tests/e2e/README.md explains the choices.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { routeFixtures } from './fixtures.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const EXTENSION_DIR = path.join(REPO, 'extension');
export const RULES_DIR = path.join(REPO, 'tests/e2e/rules');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/lib/chromium/chromium';
export const HOST_NAME = 'com.guardpost.host';
export const EXTENSION_ID = 'bodmcpfkdcfbpoidjolkokpljnogfhnh';
export const FIREFOX_ID = 'guardpost@guardpost.invalid';

// The host binary under test: $GUARDPOST_BIN, an absolute path to a built `guardpost`.
export function hostBinary({ required = true } = {}) {
  const bin = process.env.GUARDPOST_BIN;
  if (!bin) {
    if (!required) return null;
    throw new Error('GUARDPOST_BIN is not set: build the host (cmake --build BUILD --target guardpost) and point GUARDPOST_BIN at it');
  }
  if (!path.isAbsolute(bin)) throw new Error(`GUARDPOST_BIN must be an absolute path (native host manifests require one): ${bin}`);
  if (!existsSync(bin)) throw new Error(`GUARDPOST_BIN does not exist: ${bin}`);
  return bin;
}

// A fresh temporary world for one browser: profile, HOME, XDG dirs, host state dir and rules
// (built-in layer `rules`, default the e2e pack; system layer `systemRules`, default empty).
// host: 'ok' registers the binary; 'missing-binary' registers a path that does not exist;
// 'none' writes no manifest at all.
export function makeProfile({ bin, host = 'ok', rules = RULES_DIR, systemRules = null } = {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'guardpost-e2e-'));
  const dirs = {};
  for (const d of ['udd', 'home', 'config', 'cache', 'data', 'state', 'system-rules', 'runtime']) {
    dirs[d] = path.join(root, d);
    mkdirSync(dirs[d], { recursive: true, mode: 0o700 });
  }
  if (host !== 'none') {
    const nmh = path.join(dirs.udd, 'NativeMessagingHosts');
    mkdirSync(nmh, { recursive: true });
    const target = host === 'ok' ? bin : path.join(root, 'no-such-dir', 'guardpost');
    writeFileSync(path.join(nmh, `${HOST_NAME}.json`), JSON.stringify({
      name: HOST_NAME,
      description: 'Guardpost (e2e test registration)',
      path: target,
      type: 'stdio',
      allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
    }, null, 2));
  }
  const env = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_CACHE_HOME: dirs.cache,
    XDG_DATA_HOME: dirs.data,
    XDG_RUNTIME_DIR: dirs.runtime,
    GUARDPOST_STATE_DIR: dirs.state,
    GUARDPOST_BUILTIN_RULES: rules,
    GUARDPOST_SYSTEM_RULES: systemRules ?? dirs['system-rules'],
  };
  return { root, dirs, env, bin, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', // mandatory as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND', // nothing reaches the network; fixtures come from ctx.route
];

// Launches Chromium with the extension on `profile`. Returns {ctx, page, sw, extensionId, close}.
export async function launch(profile, { headless = true, viewport = { width: 1100, height: 760 }, extensionDir = EXTENSION_DIR, stderr } = {}) {
  const ctx = await chromium.launchPersistentContext(profile.dirs.udd, {
    executablePath: CHROMIUM,
    headless,
    viewport,
    ...(viewport ? { deviceScaleFactor: 1 } : {}), // a headed window (viewport null) keeps the screen's
    env: profile.env,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [...CHROMIUM_ARGS, `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`,
      ...(headless ? [] : ['--window-size=1100,800'])],
  });
  await routeFixtures(ctx);
  const sw = ctx.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'))
    ?? await ctx.waitForEvent('serviceworker', { timeout: 15000 });
  const extensionId = new URL(sw.url()).host;
  const page = ctx.pages()[0] ?? await ctx.newPage();
  if (stderr) page.on('console', (m) => stderr(`[page ${m.type()}] ${m.text()}`));
  const close = async () => {
    await ctx.close().catch(() => {});
    profile.cleanup();
  };
  return { ctx, page, sw, extensionId, close };
}

// The current service worker of the extension (it may have been restarted).
export function serviceWorker(ctx) {
  return ctx.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`));
}

// PIDs of running processes whose executable is `bin` (found through /proc, as `pgrep` cannot
// tell two programs with the same name apart). With `profile`, only those started for that
// profile's browser (their environment carries its GUARDPOST_STATE_DIR), so that other people's
// guardpost processes on the same machine are never touched.
export function hostPids(bin, profile) {
  const want = realpathSync(bin);
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let exe;
    try { exe = readlinkSync(`/proc/${d}/exe`); } catch { continue; }
    if (exe !== want && exe !== `${want} (deleted)`) continue;
    if (profile) {
      let environ = '';
      try { environ = readFileSync(`/proc/${d}/environ`, 'utf8'); } catch { continue; }
      if (!environ.split('\0').includes(`GUARDPOST_STATE_DIR=${profile.dirs.state}`)) continue;
    }
    out.push(Number(d));
  }
  return out;
}

// Polls `fn` until it returns a truthy value; returns it. Throws with `what` on timeout.
export async function until(fn, { timeout = 10000, interval = 25, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try { last = await fn(); } catch (e) { last = e; }
    if (last && !(last instanceof Error)) return last;
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
