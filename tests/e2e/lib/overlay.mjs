// Reads what the extension draws. Its overlay lives in a CLOSED shadow root, which page scripts
// cannot enter; DevTools can: DOM.getDocument with pierce:true returns closed shadow trees, and
// DOM.getBoxModel gives each node's layout box in viewport CSS pixels. So these checks do not
// depend on the extension's optional test hooks, and they measure what was actually laid out.
//
// Contract with the extension (docs/extension.md): <guardpost-overlay> holds the shadow root;
// .gp-mark[data-rule][data-severity] per highlight rectangle; .gp-card (hover card) with
// button[data-gp-action=apply] and a.gp-link; .gp-dialog with button[data-gp-action=edit|post-anyway];
// .gp-banner (host missing or crashed).

const sessions = new WeakMap();

export async function cdpFor(page) {
  let s = sessions.get(page);
  if (!s) {
    s = await page.context().newCDPSession(page);
    sessions.set(page, s);
  }
  return s;
}

function attrs(node) {
  const a = {};
  const list = node.attributes || [];
  for (let i = 0; i + 1 < list.length; i += 2) a[list[i]] = list[i + 1];
  return a;
}

function kids(node) {
  return [...(node.shadowRoots || []), ...(node.children || []), ...(node.contentDocument ? [node.contentDocument] : [])];
}

function walk(node, fn) {
  fn(node);
  for (const k of kids(node)) walk(k, fn);
}

// The text nodes' contents, one space between nodes (each part of the card is its own element).
function textOf(node) {
  const parts = [];
  walk(node, (n) => { if (n.nodeType === 3) parts.push(n.nodeValue); });
  return parts.join(' ');
}

function hasClass(node, c) {
  return (attrs(node).class || '').split(/\s+/).includes(c);
}

async function boxOf(cdp, node) {
  try {
    const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: node.backendNodeId });
    const q = model.border;
    const xs = [q[0], q[2], q[4], q[6]];
    const ys = [q[1], q[3], q[5], q[7]];
    const x = Math.min(...xs), y = Math.min(...ys);
    return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
  } catch {
    return null; // not rendered (display: none, or detached meanwhile)
  }
}

const center = (b) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

// A snapshot of the overlay: {present, closed, marks, card, dialog, banners}.
export async function readOverlay(page) {
  const cdp = await cdpFor(page);
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  let host = null;
  walk(root, (n) => { if (!host && n.nodeName === 'GUARDPOST-OVERLAY') host = n; });
  const out = { present: !!host, closed: false, marks: [], card: null, dialog: null, banners: [], hostAttrs: {} };
  if (!host) return out;
  out.hostAttrs = attrs(host);
  const sr = (host.shadowRoots || [])[0];
  if (!sr) return out;
  out.closed = sr.shadowRootType === 'closed';
  const found = { marks: [], cards: [], dialogs: [], banners: [] };
  walk(sr, (n) => {
    if (n.nodeType !== 1) return;
    if (hasClass(n, 'gp-mark')) found.marks.push(n);
    else if (hasClass(n, 'gp-card')) found.cards.push(n);
    else if (hasClass(n, 'gp-dialog')) found.dialogs.push(n);
    else if (hasClass(n, 'gp-banner')) found.banners.push(n);
  });
  for (const n of found.marks) {
    const a = attrs(n);
    const box = await boxOf(cdp, n);
    if (box) out.marks.push({ rule: a['data-rule'], severity: a['data-severity'], box, textLength: textOf(n).length });
  }
  const buttonsIn = async (node) => {
    const list = [];
    const nodes = [];
    walk(node, (n) => { if (n.nodeName === 'BUTTON' || n.nodeName === 'A' || n.nodeName === 'TEXTAREA') nodes.push(n); });
    for (const n of nodes) {
      const a = attrs(n);
      const box = await boxOf(cdp, n);
      list.push({ tag: n.nodeName.toLowerCase(), action: a['data-gp-action'], href: a.href, text: textOf(n).trim(),
        disabled: 'disabled' in a, box, center: box && center(box) });
    }
    return list;
  };
  if (found.cards[0]) {
    const n = found.cards[0];
    const controls = await buttonsIn(n);
    out.card = { text: textOf(n), box: await boxOf(cdp, n), controls,
      apply: controls.find((c) => c.action === 'apply') || null,
      link: controls.find((c) => c.tag === 'a') || null };
  }
  if (found.dialogs[0]) {
    const n = found.dialogs[0];
    const controls = await buttonsIn(n);
    out.dialog = { text: textOf(n), box: await boxOf(cdp, n), controls,
      edit: controls.find((c) => c.action === 'edit') || null,
      postAnyway: controls.find((c) => c.action === 'post-anyway') || null,
      reason: controls.find((c) => c.tag === 'textarea') || null };
  }
  for (const n of found.banners) {
    const box = await boxOf(cdp, n);
    if (box && box.width > 0) out.banners.push({ text: textOf(n), box, attrs: attrs(n) });
  }
  return out;
}

export { center };
