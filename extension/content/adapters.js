// Guardpost — which site adapter and which composer an element belongs to.
//
// The site knowledge is data (sites.json, merged with managed policy by the background); this
// file only interprets it. Pure: DOM access comes in through small callbacks (`has(selector)`,
// `matches(el, selector)`, `textOf(el)`), so node --test runs it without a DOM.
// Content scripts are classic scripts sharing the `Guardpost` namespace of the isolated world.
(function (GP) {
  'use strict';

  /** 'x.com' exact; '*.example.com' the domain and any subdomain; '*' anything. */
  function hostMatches(pattern, hostname) {
    const p = String(pattern).toLowerCase();
    const h = String(hostname).toLowerCase().replace(/\.$/, '');
    if (p === '*') return true;
    if (p.startsWith('*.')) {
      const base = p.slice(2);
      return h === base || h.endsWith('.' + base);
    }
    return p === h;
  }

  /**
   * Adapters that apply to this page, most specific first: those whose hosts match, then those
   * recognized by structure (`detect`), then the generic ones ('*').
   * @param {{adapters: object[]}} table
   * @param {string} hostname
   * @param {(selector: string) => boolean} has  whether the document has a match
   */
  function adaptersFor(table, hostname, has) {
    const byHost = [], byStructure = [], generic = [];
    for (const a of table.adapters ?? []) {
      const hosts = a.hosts ?? [];
      if (hosts.some((p) => p !== '*' && hostMatches(p, hostname))) byHost.push(a);
      else if ((a.detect ?? []).some((sel) => safe(() => has(sel)))) byStructure.push(a);
      else if (hosts.includes('*')) generic.push(a);
    }
    return [...byHost, ...byStructure, ...generic];
  }

  /** Whether the page looks like one of the adapters that have `detect` selectors. */
  function detectedBy(table, has) {
    return (table.adapters ?? []).find((a) => (a.detect ?? []).some((sel) => safe(() => has(sel)))) ?? null;
  }

  /**
   * Find the composer an event happened in.
   * @param {object[]} adapters  from adaptersFor
   * @param {object[]} path  the event's composed path, innermost first (elements only)
   * @param {(el: object, selector: string) => boolean} matches
   * @returns {{adapter, composer, element}|null}
   */
  function composerFor(adapters, path, matches) {
    for (const adapter of adapters) {
      for (const composer of adapter.composers ?? []) {
        for (const el of path) {
          if (safe(() => matches(el, composer.selector))) return { adapter, composer, element: el };
        }
      }
    }
    return null;
  }

  /**
   * Whether an element on a click's path is one of the composer's Post buttons. When the composer
   * has `post_text` (Threads: buttons with no stable attribute), the button's label must be one of
   * those words too.
   * @returns {object|null} the button element
   */
  function postButtonIn(composer, path, matches, textOf) {
    const texts = composer.post_text?.length ? composer.post_text : null;
    for (const selector of composer.post ?? []) {
      for (const el of path) {
        if (!safe(() => matches(el, selector))) continue;
        if (texts && !labelIs(texts, textOf(el))) continue;
        return el;
      }
    }
    return null;
  }

  function labelIs(texts, label) {
    return texts.includes(String(label ?? '').trim());
  }

  /** 'Mod+Enter' → {key:'Enter', mod:true, shift:false, alt:false}. Mod is Ctrl, or Cmd on a Mac. */
  function parseShortcut(spec) {
    const parts = String(spec).split('+').map((s) => s.trim()).filter(Boolean);
    const out = { key: parts.pop() ?? '', mod: false, shift: false, alt: false };
    for (const p of parts) {
      const l = p.toLowerCase();
      if (l === 'mod' || l === 'ctrl' || l === 'cmd' || l === 'meta') out.mod = true;
      else if (l === 'shift') out.shift = true;
      else if (l === 'alt' || l === 'option') out.alt = true;
    }
    return out;
  }

  /** Whether a keydown (anything with key/ctrlKey/metaKey/shiftKey/altKey) is one of the shortcuts. */
  function shortcutMatches(shortcuts, ev) {
    if (ev.isComposing) return false;   // Enter that confirms an IME composition
    const mod = !!(ev.ctrlKey || ev.metaKey);
    return (shortcuts ?? []).some((spec) => {
      const s = parseShortcut(spec);
      return s.key.toLowerCase() === String(ev.key).toLowerCase() && s.mod === mod &&
        s.shift === !!ev.shiftKey && s.alt === !!ev.altKey;
    });
  }

  function safe(fn) {
    try { return fn(); } catch { return false; }   // a bad selector from policy must not break the page
  }

  GP.adapters = { labelIs, hostMatches, adaptersFor, detectedBy, composerFor, postButtonIn, parseShortcut, shortcutMatches };
})(globalThis.Guardpost ??= {});
