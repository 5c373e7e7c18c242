// Timers the tests drive by hand: the modules under test take setTimeout/clearTimeout/now as
// parameters, so time passes only when a test calls advance(). Due timers fire in time order.
export function fakeTimers() {
  let now = 0, next = 1;
  const timers = new Map();
  return {
    setTimeout(fn, ms) { const id = next++; timers.set(id, { fn, at: now + ms }); return id; },
    clearTimeout(id) { timers.delete(id); },
    now: () => now,
    advance(ms) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) { timers.delete(id); t.fn(); }
      }
    },
    get count() { return timers.size; },
  };
}
