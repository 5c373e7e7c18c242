// Guardpost — everything Guardpost draws on a page.
//
// One <guardpost-overlay> element on <html> holds a CLOSED shadow root: page scripts and page CSS
// cannot see or restyle what is inside, and the editors' own DOM is never touched (rich editors
// lose text or the caret when it is). The host is a fixed, zero-size, click-through box; marks
// are positioned in viewport coordinates. Inside: highlight marks (no text in them), the hover
// card, the composer banner, the pre-post dialog and the textarea mirror. Every piece of text
// from the page or from findings goes in with textContent.
//
// Test hooks (off unless the background says so): attributes on the host element describe the
// marks, card, dialog and banner by rule id and geometry, never by post text. docs/extension.md
// has the contract.
(function (GP) {
  'use strict';

  const CSS = `
:host { all: initial; }
.gp-layer, .gp-ui { position: fixed; left: 0; top: 0; width: 0; height: 0; }
.gp-mark { position: fixed; pointer-events: none; box-sizing: border-box; border-radius: 2px; }
.gp-mark[data-severity="block"] { background: rgba(217,48,37,.16); border-bottom: 2px solid #d93025; }
.gp-mark[data-severity="warn"] { background: rgba(227,116,0,.14); border-bottom: 2px solid #e37400; }
.gp-mark[data-severity="info"] { background: rgba(26,115,232,.10); border-bottom: 2px dotted #1a73e8; }
.gp-card, .gp-banner, .gp-dialog { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #202124; background: #fff; box-shadow: 0 2px 10px rgba(0,0,0,.25); border-radius: 8px; }
.gp-card { position: fixed; pointer-events: auto; width: 300px; padding: 10px 12px; box-sizing: border-box; }
.gp-card .gp-head, .gp-dialog .gp-sev { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; font-weight: 600; }
.gp-sev-block { color: #b3261e; } .gp-sev-warn { color: #b45d00; } .gp-sev-info { color: #1a73e8; }
.gp-card p { margin: 4px 0; }
.gp-card .gp-advice { margin: 6px 0 0; color: #3c4043; }
.gp-card .gp-suggestion { margin-top: 6px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.gp-card .gp-suggestion q { font-style: normal; background: #e6f4ea; padding: 1px 4px; border-radius: 3px; }
button.gp-btn { font: inherit; border-radius: 6px; border: 1px solid #dadce0; background: #fff; color: #1a73e8;
  padding: 4px 10px; cursor: pointer; }
button.gp-btn:hover { background: #f1f3f4; }
button.gp-primary { background: #1a73e8; color: #fff; border-color: #1a73e8; }
button.gp-primary:hover { background: #1765cc; }
button.gp-danger { color: #b3261e; }
button.gp-btn:disabled { opacity: .5; cursor: default; }
a.gp-link { color: #1a73e8; }
.gp-banner { position: fixed; pointer-events: auto; padding: 4px 10px; font-size: 12px; max-width: 420px;
  background: #fef7e0; border: 1px solid #f9ab00; box-shadow: none; border-radius: 6px; }
.gp-banner.gp-held { background: #fce8e6; border-color: #d93025; }
.gp-backdrop { position: fixed; left: 0; top: 0; width: 100vw; height: 100vh; background: rgba(32,33,36,.45);
  pointer-events: auto; display: flex; align-items: center; justify-content: center; }
.gp-dialog { width: min(460px, calc(100vw - 32px)); max-height: calc(100vh - 48px); overflow: auto; padding: 18px 20px;
  box-sizing: border-box; }
.gp-dialog h2 { font-size: 16px; margin: 0 0 8px; }
.gp-dialog ul { margin: 8px 0; padding: 0 0 0 18px; }
.gp-dialog li { margin: 6px 0; }
.gp-dialog .gp-note { color: #5f6368; font-size: 12px; }
.gp-dialog label { display: block; margin-top: 10px; font-weight: 600; }
.gp-dialog textarea { width: 100%; box-sizing: border-box; min-height: 56px; margin-top: 4px; font: inherit; }
.gp-actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 14px; }
.gp-mirror { position: fixed; visibility: hidden; pointer-events: none; left: -10000px; top: 0; }
`;

  const SEVERITY_WORDS = { block: 'Against policy', warn: 'Check this', info: 'Note' };
  const CATEGORY_WORDS = { secret: 'secret', pii: 'personal data', confidential: 'confidential',
    profanity: 'strong language', insult: 'insult', discrimination: 'discrimination', tone: 'tone' };

  function createOverlay(doc, win) {
    const host = doc.createElement('guardpost-overlay');
    const hs = host.style;
    for (const [k, v] of [['position', 'fixed'], ['left', '0'], ['top', '0'], ['width', '0'],
      ['height', '0'], ['z-index', '2147483647'], ['pointer-events', 'none'], ['display', 'block'],
      ['overflow', 'visible'], ['margin', '0'], ['padding', '0'], ['border', '0']]) {
      hs.setProperty(k, v, 'important');
    }
    const root = host.attachShadow({ mode: 'closed' });
    try {
      const sheet = new win.CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      const style = doc.createElement('style');   // may be refused by a strict page CSP
      style.textContent = CSS;
      root.appendChild(style);
    }
    const el = (tag, cls, parent) => {
      const e = doc.createElement(tag);
      if (cls) e.className = cls;
      if (parent) parent.appendChild(e);
      return e;
    };
    const layer = el('div', 'gp-layer', root);
    const ui = el('div', 'gp-ui', root);
    const mirror = el('div', 'gp-mirror', root);

    // Keys typed in our fields must not reach the site's shortcuts (bubble phase).
    for (const type of ['keydown', 'keyup', 'keypress', 'input', 'beforeinput', 'paste', 'focusin', 'focusout']) {
      root.addEventListener(type, (e) => e.stopPropagation());
    }

    let hooks = false;
    const sessions = new Map();   // id -> {marks: [{finding, rects, els}], banner}
    let card = null;
    let dialog = null;
    let checks = 0;

    function attach() {
      if (!host.isConnected) (doc.documentElement ?? doc.body).appendChild(host);
    }

    function box(r) {
      return { x: Math.round(r.left), y: Math.round(r.top), w: Math.round(r.width), h: Math.round(r.height) };
    }
    function boxOf(e) {
      return e ? box(e.getBoundingClientRect()) : null;
    }

    function publish() {
      if (!hooks) return;
      const marks = [];
      for (const [sid, s] of sessions) {
        for (const m of s.marks) {
          marks.push({ session: sid, rule: m.finding.rule, severity: m.finding.severity,
            start: m.finding.start, end: m.finding.end, rects: m.rects.map(box) });
        }
      }
      host.setAttribute('data-gp-marks', JSON.stringify(marks));
      host.setAttribute('data-gp-checks', String(checks));
      if (card) {
        host.setAttribute('data-gp-card', JSON.stringify({ rule: card.finding.rule, box: boxOf(card.el),
          apply: boxOf(card.apply), link: boxOf(card.link) }));
      } else host.removeAttribute('data-gp-card');
      if (dialog) {
        host.setAttribute('data-gp-dialog', JSON.stringify({ action: dialog.action, rules: dialog.rules,
          needReason: dialog.needReason, box: boxOf(dialog.box), edit: boxOf(dialog.edit),
          post: boxOf(dialog.post), retry: boxOf(dialog.retry), reason: boxOf(dialog.reason) }));
      } else host.removeAttribute('data-gp-dialog');
      const banners = [...sessions.entries()].filter(([, s]) => s.banner)
        .map(([sid, s]) => ({ session: sid, state: s.banner.state, held: s.banner.held, box: boxOf(s.banner.el) }));
      if (banners.length) host.setAttribute('data-gp-banner', JSON.stringify(banners));
      else host.removeAttribute('data-gp-banner');
    }

    function session(id) {
      let s = sessions.get(id);
      if (!s) { s = { marks: [], banner: null }; sessions.set(id, s); }
      return s;
    }

    /** Replace a composer's marks. items: [{finding, rects}] in viewport coordinates. */
    function setMarks(id, items, { fromCheck = false } = {}) {
      attach();
      const s = session(id);
      for (const m of s.marks) for (const e of m.els) e.remove();
      s.marks = items.map(({ finding, rects }) => {
        const els = rects.map((r) => {
          const e = el('div', 'gp-mark', layer);
          e.dataset.severity = finding.severity;
          e.dataset.rule = finding.rule;
          e.style.left = r.left + 'px';
          e.style.top = r.top + 'px';
          e.style.width = r.width + 'px';
          e.style.height = r.height + 'px';
          return e;
        });
        return { finding, rects, els };
      });
      if (fromCheck) checks++;
      if (card && card.session === id && !s.marks.some((m) => m.finding === card.finding)) hideCard();
      publish();
    }

    function forget(id) {
      const s = sessions.get(id);
      if (!s) return;
      for (const m of s.marks) for (const e of m.els) e.remove();
      s.banner?.el.remove();
      sessions.delete(id);
      if (card?.session === id) hideCard();
      publish();
    }

    /** The mark under a point, if any. */
    function hit(x, y) {
      for (const [sid, s] of sessions) {
        for (const m of s.marks) {
          const r = m.rects.find((rr) => GP.geometry.contains(rr, x, y, 1));
          if (r) return { session: sid, finding: m.finding, rect: r };
        }
      }
      return null;
    }

    function showCard(sid, finding, anchor, { policyUrl, onApply }) {
      if (card && card.finding === finding) return;
      hideCard();
      attach();
      const c = el('div', 'gp-card', ui);
      c.setAttribute('role', 'tooltip');
      const head = el('div', `gp-head gp-sev-${finding.severity}`, c);
      head.textContent = `${SEVERITY_WORDS[finding.severity] ?? finding.severity} · ${CATEGORY_WORDS[finding.category] ?? finding.category}`;
      const msg = el('p', '', c);
      msg.textContent = finding.message;
      let apply = null;
      if (finding.suggestion) {
        const advice = el('p', 'gp-advice', c);
        advice.textContent = finding.suggestion;
      }
      // Only a replacement can be applied: a suggestion is advice for the employee, not text.
      if (finding.replacement) {
        const row = el('div', 'gp-suggestion', c);
        const label = el('span', '', row);
        label.textContent = 'Replace with';
        const q = el('q', '', row);
        q.textContent = finding.replacement;
        apply = el('button', 'gp-btn gp-primary', row);
        apply.type = 'button';
        apply.dataset.gpAction = 'apply';
        apply.textContent = 'Apply';
        apply.addEventListener('click', (e) => { e.preventDefault(); onApply(finding); });
        // Keep the editor's selection and focus while clicking.
        apply.addEventListener('mousedown', (e) => e.preventDefault());
      }
      let link = null;
      const url = finding.policy_url || policyUrl;
      if (url && /^https?:\/\//i.test(url)) {
        const p = el('p', '', c);
        link = el('a', 'gp-link', p);
        link.href = url;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        link.textContent = 'Why? Read the policy';
      }
      const vw = win.innerWidth, vh = win.innerHeight;
      const pos = GP.geometry.placeCard(anchor, 300, c.offsetHeight || 120, vw, vh);
      c.style.left = pos.left + 'px';
      c.style.top = pos.top + 'px';
      card = { session: sid, finding, el: c, apply, link };
      publish();
    }

    function hideCard() {
      if (!card) return;
      card.el.remove();
      card = null;
      publish();
    }

    function overCard(x, y) {
      return !!card && GP.geometry.contains(card.el.getBoundingClientRect(), x, y, 4);
    }

    /** A small note on the composer: not being checked. null removes it. */
    function setBanner(id, anchor, info) {
      const s = session(id);
      if (!info || !anchor) {
        if (s.banner) { s.banner.el.remove(); s.banner = null; publish(); }
        return;
      }
      attach();
      if (!s.banner) s.banner = { el: el('div', 'gp-banner', ui) };
      const b = s.banner;
      b.state = info.state;
      b.held = !!info.held;
      b.el.classList.toggle('gp-held', b.held);
      b.el.setAttribute('role', 'status');
      b.el.textContent = info.text;
      const h = b.el.offsetHeight || 22;
      const top = anchor.top - h - 4 >= 0 ? anchor.top - h - 4 : anchor.top + anchor.height + 4;
      b.el.style.left = Math.max(4, anchor.left) + 'px';
      b.el.style.top = top + 'px';
      publish();
    }

    /**
     * The pre-post dialog.
     * @param {object} d  gate decision: {action, findings, canOverride, needReason}
     * @param {object} o  {policyUrl, explain, onEdit, onPost(reason), onRetry, onCancel}
     */
    function showDialog(d, o) {
      closeDialog();
      attach();
      const back = el('div', 'gp-backdrop', ui);
      const dlg = el('div', 'gp-dialog', back);
      dlg.setAttribute('role', 'alertdialog');
      dlg.setAttribute('aria-modal', 'true');
      const h = el('h2', '', dlg);
      dlg.setAttribute('aria-label', 'Guardpost');
      const state = { action: d.action, rules: GP.gate.ruleIds(d.findings), needReason: d.needReason,
        box: dlg, edit: null, post: null, retry: null, reason: null, el: back };
      if (d.action === 'hold') {
        h.textContent = 'Posting is on hold';
        const p = el('p', '', dlg);
        p.textContent = o.explain;
        const n = el('p', 'gp-note', dlg);
        n.textContent = 'Your organization requires every post to be checked first. Nothing was posted.';
      } else {
        h.textContent = d.action === 'block' ? 'This post can’t be published as it is' : 'Before you post';
        const ul = el('ul', '', dlg);
        for (const f of d.findings) {
          const li = el('li', '', ul);
          const sev = el('span', `gp-sev gp-sev-${f.severity}`, li);
          sev.textContent = (SEVERITY_WORDS[f.severity] ?? f.severity) + ': ';
          const m = el('span', '', li);
          m.textContent = f.message;
          if (f.suggestion) {
            const s = el('div', 'gp-note', li);
            s.textContent = `Suggestion: ${f.suggestion}`;
          }
        }
        if (d.action === 'block') {
          const n = el('p', 'gp-note', dlg);
          n.textContent = 'Your organization does not allow posting this. Edit the highlighted words, or ask your manager or the policy team if you think this is wrong.';
        }
      }
      if (o.policyUrl && /^https?:\/\//i.test(o.policyUrl)) {
        const p = el('p', 'gp-note', dlg);
        const a = el('a', 'gp-link', p);
        a.href = o.policyUrl;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.textContent = 'Social media policy';
      }
      let reason = null;
      if (d.canOverride && d.needReason) {
        const label = el('label', '', dlg);
        label.textContent = 'Why is it fine to post this? (required by your organization)';
        reason = el('textarea', '', label);
        reason.name = 'reason';
        reason.maxLength = 500;
        state.reason = reason;
      }
      const actions = el('div', 'gp-actions', dlg);
      const btn = (text, cls, action) => {
        const b = el('button', `gp-btn ${cls}`, actions);
        b.type = 'button';
        b.textContent = text;
        b.dataset.gpAction = action;
        return b;
      };
      if (d.action === 'hold' && o.onRetry) {
        state.retry = btn('Try again', '', 'retry');
        state.retry.addEventListener('click', () => o.onRetry());
      }
      state.edit = btn(d.action === 'hold' ? 'Back to the post' : 'Edit post', 'gp-primary', 'edit');
      state.edit.addEventListener('click', () => o.onEdit());
      if (d.canOverride) {
        state.post = btn('Post anyway', 'gp-danger', 'post-anyway');
        const update = () => { state.post.disabled = !GP.gate.reasonOk(d, reason?.value); };
        update();
        reason?.addEventListener('input', () => { update(); });
        state.post.addEventListener('click', () => {
          if (state.post.disabled) return;
          state.post.disabled = true;   // once
          o.onPost(reason ? reason.value.trim() : undefined);
        });
      }
      back.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') { e.preventDefault(); o.onCancel(); }
      });
      dialog = state;
      (reason ?? state.edit).focus({ preventScroll: true });
      publish();
    }

    function closeDialog() {
      if (!dialog) return;
      dialog.el.remove();
      dialog = null;
      publish();
    }

    return {
      host, root, mirror, setMarks, forget, hit, showCard, hideCard, overCard, setBanner,
      showDialog, closeDialog,
      get dialogOpen() { return dialog !== null; },
      get card() { return card; },
      setHooks(on) {
        hooks = !!on;
        if (hooks) publish();
        else for (const a of ['data-gp-marks', 'data-gp-card', 'data-gp-dialog', 'data-gp-banner', 'data-gp-checks', 'data-gp-state']) host.removeAttribute(a);
      },
      setState(s) { if (hooks) host.setAttribute('data-gp-state', s); },
      publish,
    };
  }

  GP.overlay = { createOverlay };
})(globalThis.Guardpost ??= {});
