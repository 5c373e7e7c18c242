import test from 'node:test';
import assert from 'node:assert/strict';
import { HostClient, HostError } from '../../extension/background/host-client.js';
import { STATUS } from '../../extension/common/errors.js';
import { fakeTimers } from './_timers.mjs';

function event() {
  const ls = [];
  return { addListener: (f) => ls.push(f), fire: (...a) => ls.forEach((f) => f(...a)) };
}

// A fake connectNative port; the test plays the host.
function fakePort() {
  const port = { sent: [], onMessage: event(), onDisconnect: event(), error: null, closed: false };
  port.postMessage = (m) => {
    if (port.closed) throw new Error('Attempting to use a disconnected port object');
    port.sent.push(structuredClone(m));
  };
  port.disconnect = () => { port.closed = true; };
  port.reply = (m) => port.onMessage.fire(m);
  port.die = (message) => { port.closed = true; port.error = message ? { message } : null; port.onDisconnect.fire(port); };
  return port;
}

function setup({ hello = true } = {}) {
  const ports = [];
  const states = [];
  const timers = fakeTimers();
  const client = new HostClient({
    connect: () => { const p = fakePort(); ports.push(p); return p; },
    disconnectReason: (p) => p.error?.message,
    onConnect: hello ? (c) => { c.request({ type: 'hello' }).catch(() => {}); } : undefined,
    onState: (s) => states.push(s),
    timeoutMs: 1000,
    timers,
  });
  return { client, ports, states, timers };
}

const settled = (p) => p.then((v) => ({ v }), (e) => ({ e }));

test('replies are paired with requests by id, whatever their order', async () => {
  const { client, ports } = setup();
  const a = client.request({ type: 'check', text: 'a' });
  const b = client.request({ type: 'check', text: 'b' });
  const port = ports[0];
  assert.equal(ports.length, 1, 'one port for everything');
  assert.deepEqual(port.sent.map((m) => m.type), ['hello', 'check', 'check'], 'hello goes first');
  const [, ma, mb] = port.sent;
  assert.notEqual(ma.id, mb.id);
  port.reply({ id: mb.id, type: 'findings', findings: [{ rule: 'b' }] });
  port.reply({ id: ma.id, type: 'findings', findings: [] });
  assert.deepEqual((await b).findings, [{ rule: 'b' }]);
  assert.deepEqual((await a).findings, []);
  assert.equal(client.state, STATUS.CONNECTED);
});

test('a host error rejects that request only, with its code and the host message for IT', async () => {
  const { client, ports } = setup();
  const a = settled(client.request({ type: 'check', text: 'x'.repeat(10) }));
  const b = client.request({ type: 'stats' });
  const [, ma, mb] = ports[0].sent;
  ports[0].reply({ id: ma.id, type: 'error', code: 'text_too_large', message: 'text is 300000 bytes' });
  ports[0].reply({ id: mb.id, type: 'stats', stats: { checks: 1 } });
  const r = await a;
  assert.ok(r.e instanceof HostError);
  assert.equal(r.e.code, 'text_too_large');
  assert.equal(r.e.detail, 'text is 300000 bytes');
  assert.match(r.e.message, /too long/);
  assert.equal((await b).stats.checks, 1);
});

test('rules_invalid carries one line per problem for the popup', async () => {
  const { client, ports } = setup();
  const r = settled(client.request({ type: 'rules.update', bundle: { packs: [] } }));
  const m = ports[0].sent[1];
  ports[0].reply({ id: m.id, type: 'error', code: 'rules_invalid', message: 'a\nb', errors: ['a', 'b'] });
  const { e } = await r;
  assert.equal(e.code, 'rules_invalid');
  assert.deepEqual(e.errors, ['a', 'b']);
  assert.match(e.message, /previous rules are still in use/);
});

test('per-request timeout; the late reply is dropped', async () => {
  const { client, ports, timers } = setup();
  const slow = settled(client.request({ type: 'check', text: 'a' }, { timeoutMs: 50 }));
  const id = ports[0].sent[1].id;
  timers.advance(49);
  assert.equal(client.pending.size, 2, 'the check is still pending after 49 ms');
  timers.advance(1);
  const r = await slow;
  assert.equal(r.e.code, 'timeout');
  ports[0].reply({ id, type: 'findings', findings: [] });   // nothing happens
  assert.equal(client.pending.size, 1, 'only hello is still pending');
});

test('a newer check for the same editor supersedes the older one', async () => {
  const { client, ports } = setup();
  const first = settled(client.request({ type: 'check', text: 'a' }, { key: 'tab1:0:ed1' }));
  const other = client.request({ type: 'check', text: 'z' }, { key: 'tab2:0:ed1' });
  const second = client.request({ type: 'check', text: 'ab' }, { key: 'tab1:0:ed1' });
  const r1 = await first;
  assert.equal(r1.e.code, 'superseded');
  const [, m1, mo, m2] = ports[0].sent;
  ports[0].reply({ id: m1.id, type: 'findings', findings: [{ rule: 'stale' }] });   // dropped
  ports[0].reply({ id: m2.id, type: 'findings', findings: [{ rule: 'fresh' }] });
  ports[0].reply({ id: mo.id, type: 'findings', findings: [] });
  assert.equal((await second).findings[0].rule, 'fresh');
  assert.deepEqual((await other).findings, []);
  assert.equal(client.byKey.size, 0);
});

test('host crash: pending requests are rejected at once, the next request reconnects', async () => {
  const { client, ports, states } = setup();
  const p = client.request({ type: 'check', text: 'a' });
  const opened = ports.length;
  ports[0].reply({ id: ports[0].sent[0].id, type: 'hello', host_version: '0.1.0' });
  const q = settled(client.request({ type: 'check', text: 'b' }));
  const r = settled(p);
  ports[0].die('Native host has exited.');
  assert.equal((await r).e.code, 'disconnected');
  assert.equal((await q).e.state, STATUS.HOST_CRASHED);
  assert.equal(client.state, STATUS.HOST_CRASHED);
  assert.equal(opened, 1);
  // Lazy reconnect, no back-off after a crash of a host that had answered.
  const again = client.request({ type: 'check', text: 'c' });
  assert.equal(ports.length, 2);
  assert.deepEqual(ports[1].sent.map((m) => m.type), ['hello', 'check']);
  ports[1].reply({ id: ports[1].sent[1].id, type: 'findings', findings: [] });
  assert.deepEqual((await again).findings, []);
  assert.deepEqual(states, [STATUS.CONNECTED, STATUS.HOST_CRASHED, STATUS.CONNECTING, STATUS.CONNECTED]);
});

test('Firefox: a crash gives no error message but is still a crash', async () => {
  const { client, ports } = setup();
  client.connect();
  ports[0].reply({ id: ports[0].sent[0].id, type: 'hello' });
  ports[0].die(null);
  assert.equal(client.state, STATUS.HOST_CRASHED);
});

test('host missing: rejected, then not retried on every keystroke (growing back-off)', async () => {
  const { client, ports, timers } = setup();
  const a = settled(client.request({ type: 'check', text: 'a' }));
  ports[0].die('Specified native messaging host not found.');
  assert.equal((await a).e.state, STATUS.HOST_MISSING);
  assert.equal(client.state, STATUS.HOST_MISSING);
  const b = await settled(client.request({ type: 'check', text: 'ab' }));
  assert.equal(b.e.code, 'unavailable');
  assert.equal(ports.length, 1, 'no new process during the back-off');
  timers.advance(500);
  client.request({ type: 'check', text: 'abc' }).catch(() => {});
  assert.equal(ports.length, 2, 'retried after the back-off');
  ports[1].die('Specified native messaging host not found.');
  timers.advance(500);
  await settled(client.request({ type: 'check', text: 'abcd' }));
  assert.equal(ports.length, 2, 'second back-off is longer');
  client.retryNow();
  client.request({ type: 'check', text: 'abcde' }).catch(() => {});
  assert.equal(ports.length, 3, 'retryNow (the popup) skips the back-off');
});

test('posting on a port that died under us counts as a disconnect', async () => {
  const { client, ports } = setup({ hello: false });
  client.connect();
  ports[0].closed = true;   // closed, but onDisconnect not delivered yet
  const r = await settled(client.request({ type: 'check', text: 'a' }));
  assert.equal(r.e.code, 'disconnected');
  assert.equal(client.connected, false);
});

test('connect() throwing is reported, not thrown at the caller', async () => {
  const timers = fakeTimers();
  const client = new HostClient({ connect: () => { throw new Error('No such native application com.guardpost.host'); },
    disconnectReason: () => undefined, timers });
  client.connect();
  assert.equal(client.state, STATUS.HOST_MISSING);
  const r = await settled(client.request({ type: 'stats' }));
  assert.equal(r.e.code, 'unavailable');
});

test('a service-worker restart is a new client: it connects lazily on the first request', () => {
  const { client, ports } = setup();
  assert.equal(ports.length, 0);
  assert.equal(client.connected, false);
  client.request({ type: 'stats' }).catch(() => {});
  assert.equal(ports.length, 1);
});
