// Guardpost — the one client of the native host.
//
// Design: one long-lived port (connectNative) carries every request; a reply is paired with its
// request by `id` (docs/protocol.md). The port is opened lazily by the first request, so when the
// host exits or the service worker restarts the next request simply reconnects. When the port
// closes, every pending request is rejected at once: the host will never answer them. Each
// request has its own timeout. A request may carry a `key` (tab, frame, editor): a newer request
// with the same key supersedes the older one, which is rejected with `superseded` and whose late
// reply is dropped. A host that dies before it ever answered (not installed, cannot start) is not
// retried for a short, growing while, so that typing does not spawn a process per keystroke.
//
// Pure logic: the browser is injected (`connect`, `disconnectReason`, timers), so node --test
// drives it with a fake port. Mirrors KeePassXC-Browser's background/client.js.

import { STATUS, classifyDisconnect, describeCode, describeStatus } from '../common/errors.js';

export class HostError extends Error {
  /** @param {string} code  a protocol error code or one of timeout/superseded/disconnected/unavailable */
  constructor(code, message, state) {
    super(message || describeCode(code));
    this.name = 'HostError';
    this.code = code;
    this.state = state;
  }
}

export class HostClient {
  /**
   * @param {object} o
   * @param {() => object} o.connect  opens a port: {postMessage, disconnect, onMessage, onDisconnect}
   * @param {(port: object) => string|undefined} o.disconnectReason  why the port closed
   * @param {(client: HostClient) => void} [o.onConnect]  called right after a port opens, before
   *   the request that opened it is sent; requests made here go first (hello, rules.update)
   * @param {(state: string, detail: object) => void} [o.onState]
   * @param {number} [o.timeoutMs]  default per-request timeout
   * @param {object} [o.timers]  {setTimeout, clearTimeout, now}
   */
  constructor(o) {
    this.connectPort = o.connect;
    this.disconnectReason = o.disconnectReason;
    this.onConnect = o.onConnect ?? (() => {});
    this.onState = o.onState ?? (() => {});
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.timers = o.timers ?? { setTimeout: globalThis.setTimeout.bind(globalThis),
      clearTimeout: globalThis.clearTimeout.bind(globalThis), now: () => Date.now() };
    this.port = null;
    this.nextId = 1;
    this.pending = new Map();   // id -> {resolve, reject, timer, key}
    this.byKey = new Map();     // key -> id
    this.state = STATUS.CONNECTING;
    this.everAnswered = false;
    this.failures = 0;          // consecutive ports that closed before any answer
    this.retryAt = 0;
    this.connections = 0;       // ports opened so far (for tests and the popup)
  }

  /** Send a request; resolves with the reply object, rejects with HostError. */
  request(message, { timeoutMs = this.timeoutMs, key } = {}) {
    return new Promise((resolve, reject) => {
      try {
        this.ensurePort();
      } catch (err) {
        reject(err);
        return;
      }
      const id = this.nextId++;
      if (key !== undefined) {
        const older = this.byKey.get(key);
        if (older !== undefined) this.settle(older, null, new HostError('superseded'));
        this.byKey.set(key, id);
      }
      const timer = this.timers.setTimeout(() => {
        this.settle(id, null, new HostError('timeout', undefined, this.state));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, key });
      try {
        this.port.postMessage({ ...message, id });
      } catch (err) {
        // The port died under us (Chromium: "Attempting to use a disconnected port object").
        this.handleDisconnect(String(err?.message ?? err));
      }
    });
  }

  /** Open the port now if it is closed (warm-up); errors only change the state. */
  connect() {
    try { this.ensurePort(); } catch { /* state already says why */ }
  }

  get connected() {
    return this.port !== null;
  }

  /** Forget the back-off so the next request connects at once (the popup's "Try again"). */
  retryNow() {
    this.retryAt = 0;
  }

  /** Close the port on purpose (tests, extension shutdown). Pending requests are rejected. */
  close() {
    if (!this.port) return;
    const port = this.port;
    this.handleDisconnect(undefined, STATUS.CONNECTING);
    try { port.disconnect(); } catch { /* already gone */ }
  }

  ensurePort() {
    if (this.port) return;
    if (this.timers.now() < this.retryAt) {
      throw new HostError('unavailable', describeStatus(this.state), this.state);
    }
    let port;
    try {
      port = this.connectPort();
    } catch (err) {
      this.failures++;
      this.retryAt = this.timers.now() + this.backoffMs();
      this.setState(classifyDisconnect(err?.message, false), { reason: String(err?.message ?? err) });
      throw new HostError('unavailable', describeStatus(this.state), this.state);
    }
    this.port = port;
    this.everAnswered = false;
    this.connections++;
    port.onMessage.addListener((msg) => { if (this.port === port) this.handleMessage(msg); });
    port.onDisconnect.addListener(() => {
      if (this.port === port) this.handleDisconnect(this.disconnectReason(port));
    });
    this.setState(STATUS.CONNECTING, {});
    this.onConnect(this);
  }

  backoffMs() {
    return Math.min(500 * 2 ** Math.max(0, this.failures - 1), 10000);
  }

  handleMessage(msg) {
    if (!this.everAnswered) {
      this.everAnswered = true;
      this.failures = 0;
      this.retryAt = 0;
    }
    if (this.state !== STATUS.CONNECTED) this.setState(STATUS.CONNECTED, {});
    if (msg === null || typeof msg !== 'object') return;
    if (msg.type === 'error') {
      const err = new HostError(msg.code, undefined, this.state);
      err.detail = typeof msg.message === 'string' ? msg.message : '';   // for IT, in the popup
      if (Array.isArray(msg.errors)) err.errors = msg.errors;            // rules_invalid: one per problem
      this.settle(msg.id, null, err);
    } else {
      this.settle(msg.id, msg, null);
    }
  }

  handleDisconnect(reason, forcedState) {
    const state = forcedState ?? classifyDisconnect(reason, this.everAnswered);
    if (!this.everAnswered && forcedState === undefined) {
      this.failures++;
      this.retryAt = this.timers.now() + this.backoffMs();
    }
    this.port = null;
    this.setState(state, { reason: reason ?? null });
    const err = new HostError('disconnected', describeStatus(state), state);
    for (const id of [...this.pending.keys()]) this.settle(id, null, err);
  }

  settle(id, reply, error) {
    const p = this.pending.get(id);
    if (!p) return;   // unknown id: a late reply to a timed-out or superseded request
    this.pending.delete(id);
    this.timers.clearTimeout(p.timer);
    if (p.key !== undefined && this.byKey.get(p.key) === id) this.byKey.delete(p.key);
    if (error) p.reject(error); else p.resolve(reply);
  }

  setState(state, detail) {
    const changed = state !== this.state;
    this.state = state;
    if (changed) this.onState(state, detail);
  }
}
