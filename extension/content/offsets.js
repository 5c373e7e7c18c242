// Guardpost — from a finding's UTF-16 offsets to DOM positions, and keeping findings in place
// while the employee types.
//
// The host reports [start, end) in UTF-16 code units of the text the extension sent, which is
// what JavaScript strings and DOM Text offsets count too, so within one text node the mapping is
// exact: emoji (two units), combining marks and any script before the span need no special
// care. Between text nodes sit the line breaks that text.js made up for block boundaries; a span
// edge that falls on one moves into the neighbouring text node. Pure.
(function (GP) {
  'use strict';

  /** First segment whose text ends after `offset` (binary search; segments are in order). */
  function firstEndingAfter(segments, offset) {
    let lo = 0, hi = segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = segments[mid];
      if (s.start + s.length > offset) hi = mid; else lo = mid + 1;
    }
    return lo;
  }

  /**
   * DOM boundary points for [start, end).
   * @returns {{startNode, startOffset, endNode, endOffset}|null} null when the span covers no
   *   text node (only made-up line breaks) or is empty
   */
  function rangeFor(segments, start, end) {
    if (!(end > start)) return null;
    const i = firstEndingAfter(segments, start);
    if (i >= segments.length) return null;
    const first = segments[i];
    if (first.start >= end) return null;
    // Last segment that starts before `end`.
    let j = firstEndingAfter(segments, end - 1);
    if (j >= segments.length || segments[j].start >= end) j--;
    while (j > i && segments[j].start >= end) j--;
    const last = segments[j];
    return {
      startNode: first.node,
      startOffset: Math.max(0, start - first.start),
      endNode: last.node,
      endOffset: Math.min(last.length, end - last.start),
    };
  }

  /**
   * Findings were computed on `oldText`; the editor now holds `newText`. Keep the findings that
   * the edit did not touch, shifted by the edit's length, and drop the rest, so highlights stay on
   * their words between a keystroke and the next check. The edit is found as the part between
   * the longest common prefix and suffix.
   */
  function rebaseFindings(oldText, newText, findings) {
    if (oldText === newText) return findings.slice();
    let p = 0;
    const max = Math.min(oldText.length, newText.length);
    while (p < max && oldText.charCodeAt(p) === newText.charCodeAt(p)) p++;
    let s = 0;
    while (s < max - p && oldText.charCodeAt(oldText.length - 1 - s) === newText.charCodeAt(newText.length - 1 - s)) s++;
    const oldEnd = oldText.length - s;          // the edit replaced oldText[p, oldEnd)
    const delta = newText.length - oldText.length;
    const out = [];
    for (const f of findings) {
      if (f.end <= p) out.push(f);
      else if (f.start >= oldEnd) out.push({ ...f, start: f.start + delta, end: f.end + delta });
      // otherwise the edit touched the finding: it waits for the next check
    }
    return out;
  }

  GP.offsets = { rangeFor, rebaseFindings };
})(globalThis.Guardpost ??= {});
