// Guardpost — the toolbar popup: is my post being checked, by which rules, what is recorded.
// It asks the background (which asks the host for fresh counts) and fills the page with
// textContent only.

import { STATUS } from '../common/errors.js';

const api = globalThis.browser ?? globalThis.chrome;
const $ = (id) => document.getElementById(id);

function text(id, value) {
  $(id).textContent = value;
}

function render(info) {
  const ok = info.state === STATUS.CONNECTED;
  const dot = $('status-dot');
  dot.className = 'dot ' + (ok ? (info.rulesError || info.policyProblems.length ? 'warn' : 'ok') : info.state === STATUS.CONNECTING ? '' : 'bad');
  text('status', info.stateText);
  const bad = [STATUS.HOST_MISSING, STATUS.HOST_CRASHED, STATUS.HOST_ERROR].includes(info.state);
  $('retry').hidden = !bad;
  $('reason').hidden = !(bad && info.reason);
  if (bad && info.reason) text('reason', `Browser says: ${info.reason}`);

  $('rules-section').hidden = !info.rules;
  if (info.rules) {
    text('rules-summary', `${info.rules.count} rules in effect · version ${info.rules.version}`);
    const ul = $('sources');
    ul.textContent = '';
    for (const s of info.rules.sources ?? []) {
      const li = document.createElement('li');
      li.textContent = `${s.layer}: ${s.pack}${s.version ? ' ' + s.version : ''} (${s.rules} rules)`;
      ul.appendChild(li);
    }
  }
  $('rules-error').hidden = !info.rulesError;
  if (info.rulesError) text('rules-error', `Some rules were rejected and the previous ones are in use: ${info.rulesError}`);

  const st = $('settings');
  st.textContent = '';
  const s = info.settings;
  const lines = [
    s.enforce ? 'Posts with a blocking finding cannot be published.' : 'You decide whether to post after a warning.',
    s.require_reason && !s.enforce ? 'Posting past a blocking finding asks for a reason.' : null,
    s.fail_closed ? 'Posting is held while the checker is unavailable.' : 'Posting is not held while the checker is unavailable.',
    info.managedBundle ? `Your organization's own rules are pushed by policy (${info.managedBundle}).` : null,
  ].filter(Boolean);
  for (const l of lines) {
    const li = document.createElement('li');
    li.textContent = l;
    st.appendChild(li);
  }
  $('policy-problems').hidden = !info.policyProblems.length;
  if (info.policyProblems.length) text('policy-problems', `Settings IT should fix: ${info.policyProblems.join('; ')}`);

  const stats = info.stats ?? {};
  text('stat-checks', stats.checks ?? '–');
  text('stat-warned', stats.warned ?? '–');
  text('stat-edited', stats.edited ?? '–');
  text('stat-posted', stats.posted_anyway ?? '–');
  text('stat-cancelled', stats.cancelled ?? '–');

  const link = $('policy');
  if (s.policy_url && /^https?:\/\//i.test(s.policy_url)) {
    link.href = s.policy_url;
    link.hidden = false;
  }
  text('version', `extension ${info.extensionVersion}${info.hostVersion ? ` · checker ${info.hostVersion}` : ''}`);
}

async function refresh() {
  try {
    render(await api.runtime.sendMessage({ type: 'popup' }));
  } catch (err) {
    text('status', `The extension is not responding (${err?.message ?? err}).`);
  }
}

$('retry').addEventListener('click', async () => {
  text('status', 'Trying again…');
  await api.runtime.sendMessage({ type: 'retry' });
  refresh();
});

refresh();
