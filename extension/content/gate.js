// Guardpost — the pre-post decision, and the one-shot pass that lets the original action through.
//
// Given the findings of the immediate check, the organization's settings and whether the checker
// answered, decide what happens to a Post click or shortcut:
//   allow    nothing at warn or block: the post goes ahead untouched
//   confirm  show the dialog with Edit and Post anyway (and a reason field when required)
//   block    the organization enforces and something is at block: Edit only
//   hold     the checker is unavailable and the organization fails closed: posting is held
//   unchecked the checker is unavailable: the post goes ahead, the banner already says so
// Pure, so the matrix is unit-tested.
(function (GP) {
  'use strict';

  const RANK = { info: 0, warn: 1, block: 2 };

  /**
   * @param {object} o
   * @param {object[]|null} o.findings  null when the check did not happen
   * @param {{enforce, require_reason, fail_closed}} o.settings
   * @param {boolean} o.available  whether the checker answered
   * @returns {{action: string, findings: object[], canOverride: boolean, needReason: boolean}}
   */
  function decide({ findings, settings, available }) {
    const s = settings ?? {};
    if (!available || !Array.isArray(findings)) {
      return s.fail_closed
        ? { action: 'hold', findings: [], canOverride: false, needReason: false }
        : { action: 'unchecked', findings: [], canOverride: false, needReason: false };
    }
    const serious = findings.filter((f) => (RANK[f.severity] ?? 0) >= RANK.warn)
      .sort((a, b) => (RANK[b.severity] - RANK[a.severity]) || (a.start - b.start));
    if (serious.length === 0) return { action: 'allow', findings: [], canOverride: false, needReason: false };
    const hasBlock = serious.some((f) => f.severity === 'block');
    if (hasBlock && s.enforce) return { action: 'block', findings: serious, canOverride: false, needReason: false };
    return { action: 'confirm', findings: serious, canOverride: true, needReason: hasBlock && !!s.require_reason };
  }

  /** Whether "Post anyway" may proceed with this reason. */
  function reasonOk(decision, reason) {
    if (!decision.canOverride) return false;
    return !decision.needReason || String(reason ?? '').trim().length >= 3;
  }

  /** Distinct rule ids, for events (never text). */
  function ruleIds(findings) {
    return [...new Set((findings ?? []).map((f) => f.rule))].sort();
  }

  /**
   * A one-shot pass: after "Post anyway" the extension re-dispatches the original action, and the
   * gate must let exactly that one through. arm() marks a target; the next pass() for it consumes
   * the mark. A mark not consumed within `ttlMs` expires so it cannot wave through a later post.
   */
  function createBypass(now = () => Date.now(), ttlMs = 1000) {
    let armed = null;
    return {
      arm(target) { armed = { target, at: now() }; },
      pass(target) {
        if (!armed || armed.target !== target) return false;
        const fresh = now() - armed.at <= ttlMs;
        armed = null;
        return fresh;
      },
      get armed() { return armed !== null; },
    };
  }

  GP.gate = { decide, reasonOk, ruleIds, createBypass, RANK };
})(globalThis.Guardpost ??= {});
