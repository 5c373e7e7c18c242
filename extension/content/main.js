// Guardpost — the content script: watches composers, shows findings, gates the Post action.
//
// This is the only content file that talks to the extension (runtime messages); everything it
// decides is delegated to the pure modules loaded before it (adapters, text, offsets, gate,
// schedule, geometry) and everything it draws to overlay.js. Flow:
//   focus/input in a composer → session (one per editor element) → debounced check (250 ms) via
//   the background → findings → marks in the overlay (kept in place by rebasing while typing,
//   redrawn on scroll/resize/edits) → hover card → Apply goes through the editor's own input path.
//   Post click / shortcut (capture phase) → if the current text is already checked and clean, it
//   passes untouched; otherwise it is stopped and gate.js decides, from the check the current text
//   already has or else from one made at once (and made again if the text changed meanwhile);
//   after "Post anyway" it is re-dispatched once through a one-shot bypass.
// Post text leaves this script only in the check message to the background.
(function (GP) {
  'use strict';
  if (GP.started) return;
  GP.started = true;

  const api = globalThis.browser ?? globalThis.chrome;
  const doc = document;
  const win = window;
  const DEBOUNCE_MS = 250;
  const GATE_TIMEOUT_MS = 4000;
  const UNAVAILABLE = new Set(['host_missing', 'host_crashed', 'host_error']);

  let table = null;
  let adapters = [];
  let settings = { enforce: false, require_reason: false, fail_closed: false, policy_url: '' };
  let hostState = 'connecting';
  let stateText = '';
  let gateBusy = false;
  let nextSessionId = 1;
  const sessions = new Map();   // editor element -> Session
  const bypass = GP.gate.createBypass();
  const overlay = GP.overlay.createOverlay(doc, win);

  // Checks travel on a long-lived port to the background (measured: about half the time of a
  // sendMessage round trip, which sets up a channel per message); the rest uses sendMessage. When
  // the service worker restarts the port closes, and the next check opens a new one.
  let port = null;
  let nextId = 1;
  const waiting = new Map();   // id -> resolve

  function viaPort(msg) {
    if (!port) {
      try {
        port = api.runtime.connect({ name: 'guardpost-content' });
      } catch {
        return Promise.resolve(null);   // the extension was reloaded: fall back below
      }
      port.onMessage.addListener((m) => {
        const resolve = waiting.get(m?.id);
        if (resolve) { waiting.delete(m.id); resolve(m.reply ?? null); }
      });
      port.onDisconnect.addListener(() => {
        port = null;
        for (const resolve of waiting.values()) resolve(null);
        waiting.clear();
      });
    }
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      try { port.postMessage({ id, msg }); } catch { waiting.delete(id); resolve(null); }
    });
  }

  async function send(msg) {
    if (msg.type === 'check') {
      const r = await viaPort(msg);
      if (r) return r;
    }
    try {
      const r = await api.runtime.sendMessage(msg);
      return r ?? { ok: false, available: false, state: 'host_error', message: 'No answer from the extension.' };
    } catch {
      return { ok: false, available: false, state: 'host_error',
        message: 'The Guardpost extension was updated or restarted. Reload this page to check posts again.' };
    }
  }

  function applyStatus(r) {
    if (r.settings) settings = r.settings;
    if (r.state) hostState = r.state;
    if (typeof r.message === 'string') stateText = r.message;
  }

  function report(action, rules, reason) {
    if (!rules.length) return;
    const msg = { type: 'event', action, rules, site: location.hostname };
    if (reason) msg.reason = reason;
    send(msg);
  }

  // ---- DOM helpers ----

  const elementsOf = (path) => path.filter((n) => n && n.nodeType === 1);
  const isEditable = (el) => el.tagName === 'TEXTAREA' || el.isContentEditable === true;
  const editorMatches = (el, sel) => isEditable(el) && el.matches(sel);
  const plainMatches = (el, sel) => el.matches(sel);
  const textOf = (el) => el.textContent;

  function editingHost(el) {
    if (el.tagName === 'TEXTAREA') return el;
    let cur = el;
    while (cur.parentElement && cur.parentElement.isContentEditable) cur = cur.parentElement;
    return cur;
  }

  function refreshAdapters() {
    adapters = GP.adapters.adaptersFor(table, location.hostname, (sel) => !!doc.querySelector(sel));
  }

  function composerAt(path) {
    if (!table) return null;
    const els = elementsOf(path);
    // An editor with a session is found from the event's target alone: matching the page against
    // the site table again is only for an editor without one. Every keystroke comes here from
    // keydown, beforeinput and input.
    const known = els.length > 0 ? sessions.get(editingHost(els[0])) : undefined;
    if (known) return { adapter: known.adapter, composer: known.composer, element: known.el };
    let m = GP.adapters.composerFor(adapters, els, editorMatches);
    if (!m || m.adapter.hosts?.includes('*')) {
      // A site known by structure (Mastodon) may have rendered since the last look.
      const before = adapters.length;
      refreshAdapters();
      if (adapters.length !== before) m = GP.adapters.composerFor(adapters, els, editorMatches);
    }
    return m;
  }

  // ---- sessions ----

  class Session {
    constructor(el, adapter, composer) {
      this.id = nextSessionId++;
      this.el = el;
      this.adapter = adapter;
      this.composer = composer;
      this.kind = el.tagName === 'TEXTAREA' ? 'value' : 'dom';
      this.text = '';
      this.segments = [];
      this.findings = [];        // for this.text (rebased while typing)
      this.checkedText = null;   // the text the last answered check was about
      this.checkedFindings = [];
      this.available = true;
      this.problem = null;       // the checker answered, but could not check this text (too long)
      this.seq = GP.schedule.sequencer();
      this.live = GP.schedule.debounce(() => this.check(), DEBOUNCE_MS);
      this.observer = new MutationObserver(() => this.changed());
      this.observer.observe(el, { childList: true, subtree: true, characterData: true });
      this.resize = new ResizeObserver(() => scheduleRender());
      this.resize.observe(el);
      this.read();
    }

    read() {
      if (this.kind === 'value') {
        this.text = this.el.value;
        this.segments = null;
      } else {
        const r = GP.text.readEditable(this.el);
        this.text = r.text;
        this.segments = r.segments;
      }
    }

    /** The editor's content may have changed: keep marks on their words, check soon. */
    changed() {
      const before = this.text;
      this.read();
      // Same text (the editor re-rendered it): only the marks' positions may have moved, once per
      // frame.
      if (this.text === before) { scheduleRender(); return; }
      this.findings = GP.offsets.rebaseFindings(before, this.text, this.findings);
      this.render();
      this.live();
    }

    /** Check the current text now. Resolves {available, findings, text, stale}. */
    async check() {
      this.live.cancel();
      this.read();
      const text = this.text;
      const ticket = this.seq.next();
      if (text.trim() === '') {
        this.findings = [];
        this.checkedText = text;
        this.checkedFindings = [];
        this.available = true;
        this.render({ fromCheck: true });
        return { available: true, findings: [], text };
      }
      overlay.setState('checking');
      const r = await send({ type: 'check', key: String(this.id), text, site: location.hostname });
      applyStatus(r);
      if (!this.seq.isCurrent(ticket) || r.superseded) return { stale: true };
      if (r.ok) {
        const findings = (r.findings ?? []).filter((f) => f.attachment === undefined);
        this.available = true;
        this.problem = null;
        this.checkedText = text;
        this.checkedFindings = findings;
        this.read();
        this.findings = GP.offsets.rebaseFindings(text, this.text, findings);
        overlay.setState(findings.length ? 'findings' : 'clean');
        this.render({ fromCheck: true });
        return { available: true, findings, text };
      }
      this.available = !!r.available && !UNAVAILABLE.has(r.state);
      this.problem = this.available ? (r.message ?? 'This post could not be checked.') : null;
      this.checkedText = null;
      overlay.setState('unavailable');
      this.render({ fromCheck: true });
      return { available: false, findings: null, text };
    }

    /** Decision without waiting, when the current text was checked and the checker answered. */
    quickDecision() {
      this.read();
      if (this.live.pending() || this.checkedText !== this.text || !this.available) return null;
      return GP.gate.decide({ findings: this.checkedFindings, settings, available: true });
    }

    render({ fromCheck = false } = {}) {
      if (!this.el.isConnected) { forget(this); return; }
      if (this.kind === 'dom' && this.segments.some((s) => !s.node.isConnected)) this.read();
      const clip = GP.geometry.visibleClip(this.el, win);
      let rectLists;
      if (this.kind === 'value') {
        rectLists = this.findings.length
          ? GP.geometry.textareaRects(this.el, overlay.mirror, this.findings, win) : [];
      } else {
        rectLists = this.findings.map((f) => GP.geometry.editableRects(doc, this.segments, f.start, f.end));
      }
      const items = this.findings.map((finding, i) => ({
        finding, rects: clip ? GP.geometry.clipRects(rectLists[i] ?? [], clip) : [] }));
      overlay.setMarks(this.id, items, { fromCheck });
      if (!this.available && UNAVAILABLE.has(hostState)) {
        const held = settings.fail_closed;
        overlay.setBanner(this.id, GP.geometry.rectOf(this.el), { state: hostState, held,
          text: held ? `Guardpost: posting is on hold. ${stateText}` : `Guardpost is not checking this post. ${stateText}` });
      } else if (this.problem) {
        overlay.setBanner(this.id, GP.geometry.rectOf(this.el), { state: 'not_checked', held: settings.fail_closed,
          text: `Guardpost could not check this post: ${this.problem}` });
      } else {
        overlay.setBanner(this.id, null, null);
      }
    }

    dispose() {
      this.live.cancel();
      this.observer.disconnect();
      this.resize.disconnect();
    }
  }

  function sessionFor(m) {
    const el = editingHost(m.element);
    let s = sessions.get(el);
    if (!s) {
      s = new Session(el, m.adapter, m.composer);
      sessions.set(el, s);
    }
    return s;
  }

  function forget(s) {
    s.dispose();
    sessions.delete(s.el);
    overlay.forget(s.id);
  }

  let renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    win.requestAnimationFrame(() => {
      renderQueued = false;
      for (const s of [...sessions.values()]) s.render();
    });
  }

  // ---- Post buttons ----

  function scopeOf(s) {
    for (const sel of s.composer.scope ?? []) {
      const sc = safeClosest(s.el, sel);
      if (sc) return sc;
    }
    return null;
  }

  /**
   * Whether a Post button on a click's path (`els`) belongs to this session's composer: some scope
   * ancestor of the editor (a dialog, a form) holds the button. A composer with no scope ancestor
   * on this page accepts any of its buttons, except the generic fallback, which never guesses.
   */
  function ownsButton(s, els) {
    let found = false;
    for (const sel of s.composer.scope ?? []) {
      const sc = safeClosest(s.el, sel);
      if (!sc) continue;
      found = true;
      if (els.includes(sc)) return true;
    }
    return !found && !s.adapter.hosts?.includes('*');
  }

  /** The session whose Post button is on this click's path. */
  function postTarget(path) {
    const els = elementsOf(path);
    const ordered = [...sessions.values()].reverse();   // the newest first
    for (const s of ordered) {
      const button = GP.adapters.postButtonIn(s.composer, els, plainMatches, textOf);
      if (button && ownsButton(s, els)) return { session: s, button };
    }
    // A button of a composer nobody typed in yet: find that composer through the scope.
    for (const adapter of adapters) {
      const generic = adapter.hosts?.includes('*');
      for (const composer of adapter.composers ?? []) {
        const button = GP.adapters.postButtonIn(composer, els, plainMatches, textOf);
        if (!button) continue;
        let editor = null;
        for (const sel of composer.scope ?? []) {
          const sc = safeClosest(button, sel);
          editor = sc && safeQuery(sc, composer.selector);
          if (editor) break;
        }
        if (!editor && !generic) editor = safeQuery(doc, composer.selector);
        if (editor && isEditable(editor)) return { session: sessionFor({ element: editor, adapter, composer }), button };
      }
    }
    return null;
  }

  function buttonFor(s) {
    const root = scopeOf(s) ?? (s.adapter.hosts?.includes('*') ? null : doc);
    if (!root) return null;
    const texts = s.composer.post_text?.length ? s.composer.post_text : null;
    for (const selector of s.composer.post ?? []) {
      let list = [];
      try { list = [...root.querySelectorAll(selector)]; } catch { continue; }
      const b = list.find((el) => !texts || GP.adapters.labelIs(texts, el.textContent));
      if (b) return b;
    }
    return null;
  }

  function safeClosest(el, sel) { try { return el.closest(sel); } catch { return null; } }
  function safeQuery(root, sel) { try { return root.querySelector(sel); } catch { return null; } }

  // ---- the gate ----

  function withTimeout(promise, ms) {
    return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve({ available: false, findings: null }), ms))]);
  }

  // `known`: the decision when the current text was already checked (quickDecision), so that
  // pressing Post does not send the same text to the host again.
  async function runGate(s, proceed, known = null) {
    gateBusy = true;
    try {
      for (;;) {
        let d = known;
        known = null;
        if (!d) {
          const r = await withTimeout(s.check(), GATE_TIMEOUT_MS);
          // The text changed while it was being checked: check what is there now, rather than
          // letting the post go as if the checker were unavailable.
          if (r.stale) continue;
          d = GP.gate.decide({ findings: r.findings, settings, available: r.available });
        }
        if (d.action === 'allow' || d.action === 'unchecked') { proceed(); return; }
        const rules = GP.gate.ruleIds(d.findings);
        report('shown', rules);
        const choice = await new Promise((resolve) => {
          overlay.showDialog(d, {
            policyUrl: settings.policy_url,
            explain: stateText || 'The Guardpost checker is not available.',
            onEdit: () => resolve({ what: 'edit' }),
            onCancel: () => resolve({ what: 'cancel' }),
            onPost: (reason) => resolve({ what: 'post', reason }),
            onRetry: () => resolve({ what: 'retry' }),
          });
        });
        overlay.closeDialog();
        if (choice.what === 'retry') { await send({ type: 'retry' }); continue; }
        if (choice.what === 'post') {
          report('posted_anyway', rules, choice.reason);
          proceed();
        } else {
          report(choice.what === 'edit' ? 'edited' : 'cancelled', rules);
          s.el.focus({ preventScroll: true });
        }
        return;
      }
    } finally {
      gateBusy = false;
    }
  }

  function stop(e) {
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  function onClick(e) {
    if (bypass.armed && bypass.pass(e.target)) return;   // our own re-dispatch, once
    if (!table) return;
    const t = postTarget(e.composedPath());
    if (!t) return;
    if (gateBusy) { stop(e); return; }
    const quick = t.session.quickDecision();
    if (quick && (quick.action === 'allow')) return;
    stop(e);
    const button = t.button;
    runGate(t.session, () => { bypass.arm(button); button.click(); }, quick);
  }

  function onKeydown(e) {
    if (bypass.armed && bypass.pass(e.target)) return;
    if (!table || overlay.dialogOpen) return;
    const m = composerAt(e.composedPath());
    if (!m) return;
    const s = sessionFor(m);
    if (!GP.adapters.shortcutMatches(m.composer.shortcut, e)) return;
    if (gateBusy) { stop(e); return; }
    const quick = s.quickDecision();
    if (quick && quick.action === 'allow') return;
    stop(e);
    const target = e.target;
    const init = { key: e.key, code: e.code, ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey,
      altKey: e.altKey, bubbles: true, cancelable: true, composed: true };
    runGate(s, () => {
      // Clicking the Post button is the reliable way: a synthetic key event has keyCode 0.
      const button = buttonFor(s);
      if (button) { bypass.arm(button); button.click(); return; }
      s.el.focus({ preventScroll: true });
      bypass.arm(target);
      target.dispatchEvent(new KeyboardEvent('keydown', init));
    }, quick);
  }

  // ---- hover card and suggestions ----

  let hideTimer = null;
  function onMouseMove(e) {
    if (overlay.dialogOpen || sessions.size === 0) return;
    const x = e.clientX, y = e.clientY;
    if (overlay.overCard(x, y)) { clearTimeout(hideTimer); hideTimer = null; return; }
    const h = overlay.hit(x, y);
    if (h) {
      clearTimeout(hideTimer);
      hideTimer = null;
      const s = [...sessions.values()].find((ss) => ss.id === h.session);
      overlay.showCard(h.session, h.finding, h.rect, {
        policyUrl: settings.policy_url,
        onApply: (f) => s && applyReplacement(s, f),
      });
    } else if (overlay.card && hideTimer === null) {
      hideTimer = setTimeout(() => { hideTimer = null; overlay.hideCard(); }, 300);
    }
  }

  function applyReplacement(s, f) {
    overlay.hideCard();
    s.read();
    if (!(f.end <= s.text.length) || !f.replacement) return;
    const el = s.el;
    el.focus({ preventScroll: true });
    let ok = false;
    if (s.kind === 'value') {
      el.setSelectionRange(f.start, f.end);
      ok = doc.execCommand('insertText', false, f.replacement);
      if (!ok) {
        el.setRangeText(f.replacement, f.start, f.end, 'end');
        el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText', data: f.replacement }));
        ok = true;
      }
    } else {
      const spec = GP.offsets.rangeFor(s.segments, f.start, f.end);
      if (!spec) return;
      const range = doc.createRange();
      range.setStart(spec.startNode, spec.startOffset);
      range.setEnd(spec.endNode, spec.endOffset);
      const sel = win.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      // The editor's own input path: it sees beforeinput/input as if the employee typed.
      ok = doc.execCommand('insertText', false, f.replacement);
    }
    report('edited', [f.rule]);
    s.changed();
  }

  // ---- wiring ----

  // Any sign of the employee in a composer starts its session. focusin alone is not enough:
  // Firefox does not fire focus events while its window is not focused (headless, another app in
  // front) and editors that handle beforeinput themselves (Draft.js) fire no input event; from
  // then on the session's MutationObserver sees every change.
  function onActivity(e) {
    const m = composerAt(e.composedPath());
    if (!m) return;
    const fresh = !sessions.has(editingHost(m.element));
    const s = sessionFor(m);
    if (fresh && s.text.trim() !== '') s.live();
    if (fresh) s.render();
  }

  function onInput(e) {
    const m = composerAt(e.composedPath());
    if (!m) return;
    const s = sessions.get(editingHost(m.element));
    if (!s) { onActivity(e); return; }
    // A DOM editor's session hears every change from its MutationObserver, which would make this
    // a second report of the same keystroke; typing in a textarea changes no nodes.
    if (s.kind === 'value') s.changed();
  }

  function listen() {
    for (const type of ['focusin', 'beforeinput', 'mousedown']) win.addEventListener(type, onActivity, true);
    win.addEventListener('input', onInput, true);
    win.addEventListener('keydown', onKeydown, true);
    win.addEventListener('click', onClick, true);
    win.addEventListener('mousemove', onMouseMove, { passive: true });
    win.addEventListener('scroll', scheduleRender, { capture: true, passive: true });
    win.addEventListener('resize', scheduleRender, { passive: true });
    // An editor already focused when the script arrived.
    const active = doc.activeElement;
    if (active && active !== doc.body) onActivity({ composedPath: () => [active] });
  }

  async function init() {
    const r = await send({ type: 'init' });
    if (!r || !r.sites) return;
    table = r.sites;
    applyStatus(r);
    refreshAdapters();
    overlay.setHooks(!!r.hooks);
    listen();
  }

  init();
})(globalThis.Guardpost ??= {});
