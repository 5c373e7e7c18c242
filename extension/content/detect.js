// Guardpost — the tiny script on every other https page.
//
// Mastodon runs on thousands of hostnames, and IT may add sites through policy, so the manifest
// cannot list them all. This script only looks: is the hostname one IT added, or does the page
// have the structure of a known site (sites.json "detect" selectors, e.g. Mastodon's
// #mastodon[data-props])? Only then does it ask the background to inject the content scripts.
// It reads the selectors the background prepared in storage.local, sends nothing else, and
// stops watching after a few seconds.
(function (GP) {
  'use strict';
  if (GP.started) return;
  const api = globalThis.browser ?? globalThis.chrome;
  const WATCH_MS = 8000;
  const { hostMatches, detectedBy } = GP.adapters;   // adapters.js runs just before this file

  function looks(cfg) {
    if ((cfg.hosts ?? []).some((p) => hostMatches(p, location.hostname))) return true;
    return detectedBy(cfg, (sel) => !!document.querySelector(sel)) !== null;
  }

  let asked = false;
  function ask() {
    if (asked) return;
    asked = true;
    api.runtime.sendMessage({ type: 'inject' }).catch(() => {});
  }

  api.storage.local.get('detector').then((stored) => {
    const cfg = stored?.detector;
    if (!cfg) return;
    if (looks(cfg)) { ask(); return; }
    if (!(cfg.adapters ?? []).length) return;
    // Single-page apps render their composer late: look again a few times, then stop.
    const started = Date.now();
    const timer = setInterval(() => {
      if (looks(cfg)) { clearInterval(timer); ask(); } else if (Date.now() - started > WATCH_MS) clearInterval(timer);
    }, 500);
  }, () => {});
})(globalThis.Guardpost ??= {});
