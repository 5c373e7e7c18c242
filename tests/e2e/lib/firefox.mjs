// Firefox ESR plumbing for the end-to-end tests, over WebDriver BiDi (built into Firefox; no
// geckodriver): a local HTTPS server that answers for the real sites' hostnames (Firefox resolves
// them to 127.0.0.1 through network.dns.localDomains and sends 443 to the server's port through
// network.socket.forcePort), a throwaway profile and HOME with the native host manifest in
// $HOME/.mozilla/native-messaging-hosts/, the extension installed as a temporary add-on with
// webExtension.install, and the organization's settings in $HOME/.mozilla/managed-storage/.
import { spawn, execFileSync } from 'node:child_process';
import https from 'node:https';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { fixtureResponse, fixtureHosts } from './fixtures.mjs';
import { makeProfile, EXTENSION_DIR, HOST_NAME, FIREFOX_ID } from './browser.mjs';

export const FIREFOX = process.env.FIREFOX_BIN || '/usr/bin/firefox-esr';

// A self-signed certificate for every fixture host (the BiDi session accepts insecure certs).
function makeCert(dir) {
  const hosts = fixtureHosts();
  const cnf = path.join(dir, 'cert.cnf');
  writeFileSync(cnf, `[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=guardpost-e2e\n[ext]\nsubjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}\n`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-keyout', path.join(dir, 'key.pem'),
    '-out', path.join(dir, 'cert.pem'), '-config', cnf], { stdio: 'ignore' });
  return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
}

export async function startFixtureServer(dir) {
  const server = https.createServer(makeCert(dir), async (req, res) => {
    const r = await fixtureResponse(`https://${req.headers.host}${req.url}`);
    res.writeHead(r.status, { 'content-type': r.contentType, 'cache-control': 'no-store' });
    res.end(r.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}

class Bidi {
  constructor(ws) {
    this.ws = ws;
    this.next = 1;
    this.pending = new Map();
    this.listeners = [];
    ws.on('message', (data) => {
      const m = JSON.parse(data);
      if (m.id !== undefined && this.pending.has(m.id)) {
        const { resolve, reject } = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.type === 'error') reject(new Error(`${m.error}: ${m.message}`));
        else resolve(m.result);
      } else if (m.type === 'event') {
        for (const l of this.listeners) l(m);
      }
    });
  }

  send(method, params = {}) {
    const id = this.next++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
}

// Launches Firefox for `profile` (from makeProfile) with the extension installed. Options:
// settings: the organization's managed settings (e.g. {test_hooks: true}).
export async function launchFirefox(profile, { settings = {}, hostManifest = true, bin, extensionDir = EXTENSION_DIR } = {}) {
  const home = profile.dirs.home;
  if (hostManifest) {
    const nmh = path.join(home, '.mozilla/native-messaging-hosts');
    mkdirSync(nmh, { recursive: true });
    writeFileSync(path.join(nmh, `${HOST_NAME}.json`), JSON.stringify({
      name: HOST_NAME, description: 'Guardpost (e2e test registration)',
      path: hostManifest === 'missing-binary' ? path.join(profile.root, 'no-such-dir/guardpost') : bin,
      type: 'stdio', allowed_extensions: [FIREFOX_ID],
    }));
  }
  const ms = path.join(home, '.mozilla/managed-storage');
  mkdirSync(ms, { recursive: true });
  writeFileSync(path.join(ms, `${FIREFOX_ID}.json`), JSON.stringify({ name: FIREFOX_ID, description: 'e2e', type: 'storage', data: settings }));

  const srv = await startFixtureServer(profile.root);
  const ffProfile = path.join(profile.root, 'firefox-profile');
  mkdirSync(ffProfile, { recursive: true });
  const prefs = {
    'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'app.update.enabled': false,
    'extensions.autoDisableScopes': 0,
    'network.http.http3.enable': false,
    'network.dns.localDomains': fixtureHosts().join(','),
    'network.socket.forcePort': `443=${srv.port}`,
    'browser.tabs.remote.autostart': true,
    'ui.prefersReducedMotion': 1,
  };
  writeFileSync(path.join(ffProfile, 'user.js'),
    Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n') + '\n');

  const proc = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', ffProfile, '--remote-debugging-port=0',
    '--width=1100', '--height=760', 'about:blank'],
  { env: { ...profile.env, MOZ_HEADLESS: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Firefox did not start BiDi in 30 s:\n${log.slice(-2000)}`)), 30000);
    const onData = (d) => {
      log += d;
      const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    proc.stderr.on('data', onData);
    proc.stdout.on('data', onData);
    proc.on('exit', (c) => { clearTimeout(timer); reject(new Error(`Firefox exited (${c}):\n${log.slice(-2000)}`)); });
  });
  const ws = new WebSocket(`${url}/session`);
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  const bidi = new Bidi(ws);
  await bidi.send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: true } } });
  const { extension } = await bidi.send('webExtension.install', { extensionData: { type: 'path', path: extensionDir } });
  // The window Firefox starts with never has focus when headless (document.hasFocus() is false and
  // no focus/focusin events fire, which the content script relies on); a window opened over BiDi
  // and activated does.
  const { contexts } = await bidi.send('browsingContext.getTree', {});
  const { context } = await bidi.send('browsingContext.create', { type: 'window' });
  await bidi.send('browsingContext.close', { context: contexts[0].context }).catch(() => {});
  await bidi.send('browsingContext.setViewport', { context, viewport: { width: 1100, height: 760 } }).catch(() => {});

  const page = {
    bidi, context, extension,
    async goto(u) {
      await bidi.send('browsingContext.navigate', { context, url: u, wait: 'complete' });
      await bidi.send('browsingContext.activate', { context });
    },
    // Runs fn(arg) in the page's main world; arg and the result travel as JSON.
    async evaluate(fn, arg) {
      const r = await bidi.send('script.callFunction', {
        functionDeclaration: `async (json) => JSON.stringify(await (${fn.toString()})(JSON.parse(json)) ?? null)`,
        arguments: [{ type: 'string', value: JSON.stringify(arg ?? null) }],
        target: { context }, awaitPromise: true,
      });
      if (r.type === 'exception') throw new Error(`page exception: ${r.exceptionDetails.text}`);
      return JSON.parse(r.result.value ?? 'null');
    },
    async actions(actions) { await bidi.send('input.performActions', { context, actions }); },
    async mouseMove(x, y) {
      await this.actions([{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' },
        actions: [{ type: 'pointerMove', x: Math.round(x) - 2, y: Math.round(y) }, { type: 'pointerMove', x: Math.round(x), y: Math.round(y), duration: 50 }] }]);
    },
    async click(x, y) {
      await this.actions([{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' },
        actions: [{ type: 'pointerMove', x: Math.round(x), y: Math.round(y) }, { type: 'pointerDown', button: 0 }, { type: 'pointerUp', button: 0 }] }]);
    },
    async type(text) {
      const keys = [];
      for (const ch of text) keys.push({ type: 'keyDown', value: ch }, { type: 'keyUp', value: ch });
      await this.actions([{ type: 'key', id: 'kbd', actions: keys }]);
    },
    async press(chord) { // e.g. 'Control+Enter'
      const names = { Control: '\uE009', Enter: '\uE007', Home: '\uE011', Backspace: '\uE003', Shift: '\uE008' };
      const parts = chord.split('+').map((p) => names[p] ?? p);
      await this.actions([{ type: 'key', id: 'kbd', actions: [
        ...parts.map((v) => ({ type: 'keyDown', value: v })), ...[...parts].reverse().map((v) => ({ type: 'keyUp', value: v }))] }]);
    },
  };
  const close = async () => {
    try { await bidi.send('browser.close', {}); } catch { /* already gone */ }
    ws.close();
    await new Promise((r) => { if (proc.exitCode !== null) r(); else { proc.on('exit', r); setTimeout(r, 5000); } });
    try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* exited */ }
    await srv.close();
    profile.cleanup();
  };
  return { page, proc, close, log: () => log };
}

export { makeProfile };
