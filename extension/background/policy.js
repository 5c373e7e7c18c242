// Guardpost — the organization's settings, from managed storage.
//
// IT sets these through browser policy (Chrome: 3rdparty.extensions.<id>; Firefox:
// managed-storage/<gecko id>.json). They are read-only to the employee. This module turns
// whatever storage.managed returned into one well-formed object and merges the site table.
// Pure: the background passes in what it read.

export const DEFAULT_POLICY = Object.freeze({
  enforce: false,          // block findings cannot be posted anyway
  require_reason: false,   // posting anyway past a block finding asks for a reason
  fail_closed: false,      // while the checker is unavailable, posting is held
  policy_url: '',
  rules_bundle: null,      // object forwarded to the host with rules.update
  sites: null,             // object: adapters that extend or override sites.json, by id
  test_hooks: false,       // expose highlight geometry to the page (end-to-end tests only)
});

/**
 * @param {object|undefined} raw  storage.managed.get(null)
 * @returns {{policy: object, problems: string[]}}
 */
export function normalizePolicy(raw) {
  const policy = { ...DEFAULT_POLICY };
  const problems = [];
  if (!raw || typeof raw !== 'object') return { policy, problems };
  for (const key of ['enforce', 'require_reason', 'fail_closed', 'test_hooks']) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] === 'boolean') policy[key] = raw[key];
    else problems.push(`${key} must be true or false`);
  }
  if (raw.policy_url !== undefined) {
    if (typeof raw.policy_url === 'string' && /^https?:\/\//i.test(raw.policy_url)) policy.policy_url = raw.policy_url;
    else if (raw.policy_url !== '') problems.push('policy_url must be an http(s) address');
  }
  const bundle = parseMaybeJson(raw.rules_bundle, 'rules_bundle', problems);
  if (bundle !== undefined) {
    if (bundle && typeof bundle === 'object' && !Array.isArray(bundle)) policy.rules_bundle = bundle;
    else problems.push('rules_bundle must be an object with "packs"');
  }
  const sites = parseMaybeJson(raw.sites, 'sites', problems);
  if (sites !== undefined) {
    if (isObject(sites)) policy.sites = checkedSites(sites, problems);
    else problems.push('sites must be an object keyed by adapter id');
  }
  return { policy, problems };
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

const isString = (v) => typeof v === 'string';

// The list fields of a site adapter and of its composers, and what their items must be. Content
// scripts iterate them as they are, so a string where a list belongs (easy to type in a registry
// value) would break site detection on every page, or a composer's Post shortcut on every
// keystroke; such a field is dropped and reported instead.
const SITE_LISTS = {
  hosts: ['host names', isString],
  detect: ['CSS selectors', isString],
  composers: ['composer objects', isObject],
};
const COMPOSER_LISTS = {
  post: ['CSS selectors', isString],
  post_text: ['button labels', isString],
  shortcut: ['shortcuts such as "Mod+Enter"', isString],
  scope: ['CSS selectors', isString],
};

function withListsChecked(object, lists, where, problems) {
  const kept = { ...object };
  for (const [field, [items, isItem]] of Object.entries(lists)) {
    if (kept[field] === undefined || (Array.isArray(kept[field]) && kept[field].every(isItem))) continue;
    problems.push(`${where}.${field} must be a list of ${items}`);
    delete kept[field];
  }
  return kept;
}

function checkedSites(sites, problems) {
  const out = {};
  for (const [id, adapter] of Object.entries(sites)) {
    if (adapter === null) {
      out[id] = null;
      continue;
    }
    if (!isObject(adapter)) {
      problems.push(`sites.${id} must be an object or null`);
      continue;
    }
    const kept = withListsChecked(adapter, SITE_LISTS, `sites.${id}`, problems);
    if (kept.composers) {
      kept.composers = kept.composers.flatMap((composer, i) => {
        const where = `sites.${id}.composers[${i}]`;
        if (!isString(composer.selector)) {
          problems.push(`${where}.selector must be a CSS selector`);
          return [];
        }
        return [withListsChecked(composer, COMPOSER_LISTS, where, problems)];
      });
    }
    out[id] = kept;
  }
  return out;
}

// Windows registry and ADMX deliver complex values as JSON strings; JSON policy files as objects.
function parseMaybeJson(value, name, problems) {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (err) {
    problems.push(`${name} is not valid JSON (${err.message})`);
    return undefined;
  }
}

/**
 * Merge managed `sites` into the shipped table. An entry with a known id replaces the fields it
 * names; `null` or `{"disabled": true}` removes the adapter; a new id is added before the
 * generic fallback.
 * @param {{adapters: object[]}} table  sites.json
 * @param {object|null} overrides
 */
export function mergeSites(table, overrides) {
  const adapters = table.adapters.map((a) => ({ ...a }));
  if (!overrides) return { ...table, adapters };
  for (const [id, value] of Object.entries(overrides)) {
    const i = adapters.findIndex((a) => a.id === id);
    if (value === null || value?.disabled === true) {
      if (i >= 0) adapters.splice(i, 1);
    } else if (value && typeof value === 'object') {
      if (i >= 0) {
        adapters[i] = { ...adapters[i], ...value, id };
      } else {
        const g = adapters.findIndex((a) => a.id === 'generic');
        adapters.splice(g >= 0 ? g : adapters.length, 0, { ...value, id });
      }
    }
  }
  return { ...table, adapters };
}

/** Hostname patterns of adapters that the static content scripts do not cover. */
export function extraHosts(table, staticHosts) {
  const out = new Set();
  for (const a of table.adapters) {
    for (const h of a.hosts ?? []) if (h !== '*' && !staticHosts.includes(h)) out.add(h);
  }
  return [...out];
}

/** What the pre-post gate needs to know; sent to content scripts. */
export function gateSettings(policy) {
  return { enforce: policy.enforce, require_reason: policy.require_reason,
    fail_closed: policy.fail_closed, policy_url: policy.policy_url };
}
