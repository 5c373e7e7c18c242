// Guardpost — the background (a service worker in Chromium, an event page in Firefox).
//
// The one layer that touches the browser's extension APIs on this side: the native port (through
// HostClient), managed storage (the organization's settings and rules bundle), the toolbar badge,
// script injection for sites recognized by structure, and messages from content scripts and the
// popup. State is rebuilt from scratch whenever the worker starts: nothing here is persistent
// except the detector's selector list in storage.local.

import { HostClient, HostError } from './host-client.js';
import { STATUS, describeCode, describeStatus, isUnavailable } from '../common/errors.js';
import { normalizePolicy, mergeSites, extraHosts, gateSettings } from './policy.js';

const api = globalThis.browser ?? globalThis.chrome;
const HOST_NAME = 'com.guardpost.host';
const CHECK_TIMEOUT_MS = 3000;

let policy = normalizePolicy(undefined).policy;
let policyProblems = [];
let baseSites = null;
let sites = null;
let hooks = false;
let hello = null;          // the host's hello reply
let rulesError = null;     // {message} when the host rejected a layer or the managed bundle
let lastReason = null;

const client = new HostClient({
  connect: () => api.runtime.connectNative(HOST_NAME),
  // Chromium reports why in runtime.lastError (readable only inside onDisconnect), Firefox in port.error.
  disconnectReason: (port) => api.runtime.lastError?.message ?? port.error?.message,
  onConnect: (c) => {
    hello = null;
    c.request({ type: 'hello', extension_version: api.runtime.getManifest().version }).then((r) => {
      hello = r;
      rulesError = r.rules?.errors?.length ? { message: r.rules.errors.map((e) => `${e.layer}: ${e.message}`).join('; ') } : null;
      updateBadge();
    }, () => {});
    if (policy.rules_bundle) sendBundle(c, policy.rules_bundle);
  },
  onState: (state, detail) => {
    lastReason = detail?.reason ?? null;
    if (state !== STATUS.CONNECTED && state !== STATUS.CONNECTING) hello = null;
    updateBadge();
  },
});

function sendBundle(c, bundle) {
  return c.request({ type: 'rules.update', bundle }).then((r) => {
    if (hello) hello = { ...hello, rules: r.rules };
    rulesError = r.rules?.errors?.length ? { message: r.rules.errors.map((e) => `${e.layer}: ${e.message}`).join('; ') } : null;
    updateBadge();
  }, (err) => {
    if (err instanceof HostError && err.code === 'rules_invalid') {
      rulesError = { message: err.errors?.length ? err.errors.join('; ') : (err.detail || describeCode('rules_invalid')) };
      updateBadge();
    }
  });
}

// ---- badge ----

function badgeFor() {
  const s = client.state;
  if (s === STATUS.HOST_MISSING || s === STATUS.HOST_CRASHED || s === STATUS.HOST_ERROR) {
    return { text: 'off', color: '#d93025', title: `Guardpost: ${describeStatus(s)}` };
  }
  if (rulesError || policyProblems.length) {
    return { text: '!', color: '#e37400', title: 'Guardpost: posts are checked, but some rules could not be loaded. Open for details.' };
  }
  if (s === STATUS.CONNECTED) return { text: '', color: '#188038', title: 'Guardpost: posts are being checked.' };
  return { text: '', color: '#5f6368', title: 'Guardpost' };
}

function updateBadge() {
  const b = badgeFor();
  const action = api.action;
  if (!action) return;
  Promise.resolve(action.setBadgeText({ text: b.text })).catch(() => {});
  Promise.resolve(action.setBadgeBackgroundColor({ color: b.color })).catch(() => {});
  Promise.resolve(action.setTitle({ title: b.title })).catch(() => {});
}

// ---- policy and sites ----

async function readManaged() {
  try {
    return await api.storage.managed.get(null);
  } catch {
    return {};   // Firefox without a managed-storage manifest throws; that means "no policy"
  }
}

async function loadSites() {
  if (!baseSites) {
    const res = await fetch(api.runtime.getURL('sites.json'));
    baseSites = await res.json();
  }
  sites = mergeSites(baseSites, policy.sites);
  const staticHosts = api.runtime.getManifest().content_scripts
    .flatMap((cs) => cs.matches).map((m) => m.replace(/^https:\/\//, '').replace(/\/\*$/, ''));
  const detector = {
    hosts: extraHosts(sites, staticHosts),
    adapters: sites.adapters.filter((a) => a.detect?.length).map((a) => ({ id: a.id, detect: a.detect })),
  };
  try {
    await api.storage.local.set({ detector });
  } catch { /* the detector then stays idle */ }
}

async function applyManaged(raw, { cache = true } = {}) {
  const previous = policy.rules_bundle;
  const r = normalizePolicy(raw);
  policy = r.policy;
  policyProblems = r.problems;
  let local = {};
  try { local = await api.storage.local.get('guardpost_test_hooks'); } catch { /* none */ }
  hooks = policy.test_hooks || local?.guardpost_test_hooks === true;
  await loadSites();
  if (cache) {
    try { await api.storage.local.set({ managed_cache: raw ?? {} }); } catch { /* next start waits */ }
  }
  const changed = JSON.stringify(previous) !== JSON.stringify(policy.rules_bundle);
  if (changed && client.connected) {
    // No bundle any more: an empty pack list removes the managed layer.
    sendBundle(client, policy.rules_bundle ?? { version: 'none', packs: [] });
  }
  updateBadge();
}

// Chromium answers storage.managed.get only once its policy loader has settled, several seconds
// after the worker starts (measured: ~5 s). Checks must not wait that long, so after a short wait
// the last policy seen (cached in storage.local by this worker) applies until the fresh one comes.
const MANAGED_WAIT_MS = 300;
let applying = Promise.resolve();
const serially = (fn) => (applying = applying.then(fn, fn));

function loadPolicy() {
  const fresh = readManaged();
  const timely = Promise.race([fresh, new Promise((r) => setTimeout(() => r(undefined), MANAGED_WAIT_MS))]);
  return serially(async () => {
    const raw = await timely;
    if (raw !== undefined) return applyManaged(raw);
    let cached = {};
    try { cached = (await api.storage.local.get('managed_cache'))?.managed_cache ?? {}; } catch { /* none */ }
    await applyManaged(cached, { cache: false });
    fresh.then((late) => serially(() => applyManaged(late)));
  });
}

let ready = loadPolicy().catch((err) => {
  policyProblems = [`settings could not be read: ${err?.message ?? err}`];
});

api.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed' || (area === 'local' && changes.guardpost_test_hooks)) ready = loadPolicy();
});

// ---- messages ----

function unavailableReply(err) {
  const state = err instanceof HostError && err.state && isUnavailable(err.state) ? err.state : client.state;
  return { ok: false, available: false, state, message: describeStatus(isUnavailable(state) ? state : STATUS.HOST_ERROR),
    settings: gateSettings(policy) };
}

async function handleCheck(msg, sender) {
  if (typeof msg.text !== 'string') return { ok: false, available: true, code: 'bad_request' };
  const key = `${sender.tab?.id ?? 'x'}:${sender.frameId ?? 0}:${msg.key}`;
  const req = { type: 'check', text: msg.text };
  if (typeof msg.site === 'string') req.site = msg.site;
  try {
    const r = await client.request(req, { key, timeoutMs: CHECK_TIMEOUT_MS });
    return { ok: true, findings: r.findings ?? [], truncated: !!r.truncated, state: client.state,
      settings: gateSettings(policy) };
  } catch (err) {
    if (err instanceof HostError && err.code === 'superseded') return { ok: false, superseded: true };
    if (err instanceof HostError && !['disconnected', 'unavailable', 'timeout'].includes(err.code)) {
      // The host answered with an error: it is there, this text just could not be checked.
      return { ok: false, available: true, code: err.code, state: client.state, message: describeCode(err.code),
        settings: gateSettings(policy) };
    }
    return unavailableReply(err);
  }
}

const ACTIONS = new Set(['shown', 'edited', 'posted_anyway', 'cancelled']);

function handleEvent(msg) {
  if (!ACTIONS.has(msg.action) || !Array.isArray(msg.rules)) return { ok: false };
  const req = { type: 'event', action: msg.action, rules: msg.rules.filter((r) => typeof r === 'string').slice(0, 50) };
  if (typeof msg.site === 'string') req.site = msg.site;
  if (typeof msg.reason === 'string' && msg.reason) req.reason = msg.reason.slice(0, 500);
  client.request(req).catch(() => {});
  return { ok: true };
}

async function handlePopup() {
  let stats = hello?.stats ?? null;
  try {
    stats = (await client.request({ type: 'stats' }, { timeoutMs: 2000 })).stats;
  } catch { /* shown as unavailable */ }
  return {
    state: client.state,
    stateText: describeStatus(client.state),
    reason: lastReason,
    hostVersion: hello?.host_version ?? null,
    protocol: hello?.protocol ?? null,
    rules: hello?.rules ?? null,
    rulesError: rulesError?.message ?? null,
    policyProblems,
    stats,
    settings: gateSettings(policy),
    managedBundle: policy.rules_bundle ? (policy.rules_bundle.version ?? 'yes') : null,
    extensionVersion: api.runtime.getManifest().version,
  };
}

// A site recognized by detect.js gets the same scripts as the listed sites (the manifest's first
// content_scripts entry).
async function inject(sender) {
  if (!sender.tab?.id || !api.scripting) return { ok: false };
  await api.scripting.executeScript({ target: { tabId: sender.tab.id, frameIds: [sender.frameId ?? 0] },
    files: api.runtime.getManifest().content_scripts[0].js });
  return { ok: true };
}

async function handle(msg, sender) {
  await ready;
  switch (msg?.type) {
    case 'init':
      client.connect();   // warm the host up while the employee starts typing
      return { sites, settings: gateSettings(policy), hooks, state: client.state,
        message: describeStatus(client.state) };
    case 'check': return handleCheck(msg, sender);
    case 'event': return handleEvent(msg);
    case 'popup': return handlePopup();
    case 'retry': client.retryNow(); return { ok: true };
    case 'inject': return inject(sender);
    default: return { ok: false };
  }
}

// Content scripts send checks on a port ({id, msg} → {id, reply}); everything else comes as a message.
api.runtime.onConnect.addListener((port) => {
  if (port.name !== 'guardpost-content' || port.sender?.id !== api.runtime.id) return;
  port.onMessage.addListener((m) => {
    if (m?.msg?.type !== 'check') return;
    handle(m.msg, port.sender).then((reply) => {
      try { port.postMessage({ id: m.id, reply }); } catch { /* the page went away */ }
    });
  });
});

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== api.runtime.id) return false;
  handle(msg, sender).then(sendResponse, (err) => sendResponse({ ok: false, error: String(err?.message ?? err) }));
  return true;
});

updateBadge();
