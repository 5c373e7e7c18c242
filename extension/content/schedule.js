// Guardpost — when to check: a debounce for live checks and a sequence so a stale answer never
// replaces a newer one. Timers are injected, so node --test can drive them. Pure.
(function (GP) {
  'use strict';

  /**
   * Debounce `fn` by `waitMs`. flush() runs a pending call now (the pre-post check) and returns
   * its result; cancel() forgets it.
   */
  function debounce(fn, waitMs, timers = globalThis) {
    let timer = null;
    let args = null;
    const run = () => {
      timer = null;
      const a = args;
      args = null;
      return fn(...a);
    };
    const d = (...a) => {
      args = a;
      if (timer !== null) timers.clearTimeout(timer);
      timer = timers.setTimeout(run, waitMs);
    };
    d.flush = () => {
      if (timer === null) return undefined;
      timers.clearTimeout(timer);
      return run();
    };
    d.cancel = () => {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      args = null;
    };
    d.pending = () => timer !== null;
    return d;
  }

  /** Numbered tickets: only the latest ticket's answer is current. */
  function sequencer() {
    let last = 0;
    return {
      next() { return ++last; },
      isCurrent(ticket) { return ticket === last; },
      get last() { return last; },
    };
  }

  GP.schedule = { debounce, sequencer };
})(globalThis.Guardpost ??= {});
