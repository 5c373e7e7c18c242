// Guardpost — where highlighted words are on screen.
//
// contenteditable: a DOM Range over the finding's boundary points gives one rect per line box.
// textarea: its text has no nodes, so a hidden mirror element (inside the overlay's closed shadow
// root, never in the page) copies the textarea's box and font, holds the text before the span,
// the span, and the rest; the span's rects, shifted by the textarea's scroll position, are the
// highlights. Rects are then clipped to what is visible of the composer and its scrolling
// ancestors. The pure helpers at the top are unit-tested; the rest needs a real layout.
(function (GP) {
  'use strict';

  // Computed-style properties that decide where a textarea wraps its text.
  const MIRROR_PROPS = ['direction', 'boxSizing', 'paddingTop', 'paddingRight', 'paddingBottom',
    'paddingLeft', 'fontStyle', 'fontVariant', 'fontWeight', 'fontStretch', 'fontSize',
    'fontSizeAdjust', 'lineHeight', 'fontFamily', 'fontFeatureSettings', 'fontKerning',
    'textAlign', 'textTransform', 'textIndent', 'letterSpacing', 'wordSpacing', 'tabSize',
    'whiteSpace', 'wordBreak', 'overflowWrap', 'hyphens'];

  function intersect(a, b) {
    const left = Math.max(a.left, b.left), top = Math.max(a.top, b.top);
    const right = Math.min(a.right, b.right), bottom = Math.min(a.bottom, b.bottom);
    if (right <= left || bottom <= top) return null;
    return { left, top, right, bottom, width: right - left, height: bottom - top };
  }

  /** Clip rects to `clip`, dropping empty ones and zero-width line-end boxes. */
  function clipRects(rects, clip) {
    const out = [];
    for (const r of rects) {
      if (!(r.width > 0.5) || !(r.height > 0)) continue;
      const c = clip ? intersect(r, clip) : r;
      if (c) out.push({ left: c.left, top: c.top, width: c.right - c.left, height: c.bottom - c.top });
    }
    return out;
  }

  /** Translate mirror rects into the textarea's viewport position and scroll. */
  function shiftRects(rects, dx, dy) {
    return rects.map((r) => ({ left: r.left + dx, top: r.top + dy, right: r.left + dx + r.width,
      bottom: r.top + dy + r.height, width: r.width, height: r.height }));
  }

  function contains(r, x, y, pad = 0) {
    return x >= r.left - pad && x <= r.left + r.width + pad && y >= r.top - pad && y <= r.top + r.height + pad;
  }

  /** Where a card of size w×h goes next to `anchor` within a viewport vw×vh: below, else above. */
  function placeCard(anchor, w, h, vw, vh) {
    let left = Math.min(Math.max(4, anchor.left), Math.max(4, vw - w - 4));
    let top = anchor.top + anchor.height + 6;
    if (top + h > vh - 4 && anchor.top - h - 6 >= 4) top = anchor.top - h - 6;
    return { left, top };
  }

  // ---- DOM below ----

  function rectOf(el) {
    const r = el.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
  }

  /** The part of the viewport in which `el`'s content is visible (scrolling ancestors clip it). */
  function visibleClip(el, win) {
    let clip = { left: 0, top: 0, right: win.innerWidth, bottom: win.innerHeight };
    let node = el;
    for (let depth = 0; node && depth < 30; depth++) {
      if (node.nodeType === 1) {
        const cs = win.getComputedStyle(node);
        if (node === el || cs.overflowX !== 'visible' || cs.overflowY !== 'visible') {
          const r = rectOf(node);
          const bl = parseFloat(cs.borderLeftWidth) || 0, bt = parseFloat(cs.borderTopWidth) || 0;
          const inner = { left: r.left + bl, top: r.top + bt,
            right: r.left + bl + (node.clientWidth || r.width), bottom: r.top + bt + (node.clientHeight || r.height) };
          // the editor itself: allow the underline to overhang its box a little
          const box = node === el ? { left: r.left - 2, top: r.top - 2, right: r.right + 2, bottom: r.bottom + 2 } : inner;
          clip = intersect(clip, box);
          if (!clip) return null;
        }
      }
      node = node.parentNode ?? null;
      if (node && node.nodeType === 11) node = node.host ?? null;   // out of a shadow root
      if (node && node.nodeType === 9) break;
    }
    return clip;
  }

  /** Viewport rects of [start, end) in a contenteditable, given text.js segments. */
  function editableRects(doc, segments, start, end) {
    const spec = GP.offsets.rangeFor(segments, start, end);
    if (!spec) return [];
    try {
      const range = doc.createRange();
      range.setStart(spec.startNode, spec.startOffset);
      range.setEnd(spec.endNode, spec.endOffset);
      return [...range.getClientRects()].map((r) => ({ left: r.left, top: r.top, right: r.right,
        bottom: r.bottom, width: r.width, height: r.height }));
    } catch {
      return [];   // the editor replaced its nodes since the text was read
    }
  }

  /**
   * Viewport rects of several spans of a textarea, measured with one mirror layout.
   * @param {HTMLTextAreaElement} ta
   * @param {HTMLElement} mirror  an element in the overlay's shadow root
   * @param {{start, end}[]} spans
   */
  function textareaRects(ta, mirror, spans, win) {
    const cs = win.getComputedStyle(ta);
    const r = ta.getBoundingClientRect();
    const st = mirror.style;
    for (const p of MIRROR_PROPS) st[p] = cs[p];
    if (cs.whiteSpace === 'normal' || cs.whiteSpace === '') st.whiteSpace = 'pre-wrap';
    st.boxSizing = 'content-box';
    st.position = 'fixed';
    st.visibility = 'hidden';
    st.overflow = 'hidden';
    st.border = '0';
    st.margin = '0';
    st.height = 'auto';
    const pl = parseFloat(cs.paddingLeft) || 0, pr = parseFloat(cs.paddingRight) || 0;
    st.width = Math.max(0, ta.clientWidth - pl - pr) + 'px';
    const bl = parseFloat(cs.borderLeftWidth) || 0, bt = parseFloat(cs.borderTopWidth) || 0;
    st.left = r.left + bl + 'px';
    st.top = r.top + bt + 'px';
    const text = ta.value;
    const doc = mirror.ownerDocument;
    mirror.textContent = '';
    const out = [];
    // One layout for all spans: text nodes between span elements.
    let pos = 0;
    const marks = [];
    const sorted = spans.map((s, i) => ({ ...s, i })).sort((a, b) => a.start - b.start);
    for (const s of sorted) {
      const start = Math.max(s.start, pos);
      if (start >= s.end) { marks.push({ i: s.i, el: null }); continue; }
      mirror.appendChild(doc.createTextNode(text.slice(pos, start)));
      const span = doc.createElement('span');
      span.textContent = text.slice(start, s.end);
      mirror.appendChild(span);
      marks.push({ i: s.i, el: span });
      pos = s.end;
    }
    mirror.appendChild(doc.createTextNode(text.slice(pos) + '\u200b'));
    const dx = -ta.scrollLeft, dy = -ta.scrollTop;
    for (const m of marks) {
      out[m.i] = m.el ? shiftRects([...m.el.getClientRects()], dx, dy) : [];
    }
    mirror.textContent = '';   // the text does not stay in the overlay
    return out;
  }

  GP.geometry = { MIRROR_PROPS, intersect, clipRects, shiftRects, contains, placeCard, rectOf,
    visibleClip, editableRects, textareaRects };
})(globalThis.Guardpost ??= {});
