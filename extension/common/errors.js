// Guardpost — words for errors.
//
// The host answers with error codes (docs/protocol.md, "Errors") and the browser reports a
// closed native port with its own strings (different in Chromium and Firefox). This module
// turns both into a status the extension can act on and a sentence an employee understands.
// Pure: no browser APIs, so background, popup and tests share it.

/** Connection states shown on the badge and in the popup. */
export const STATUS = Object.freeze({
  CONNECTING: 'connecting',
  CONNECTED: 'connected',
  HOST_MISSING: 'host_missing',     // not installed, or the browser may not start it
  HOST_CRASHED: 'host_crashed',     // it was running and stopped
  HOST_ERROR: 'host_error',         // it is there but talking to it failed
});

const HOST_CODES = {
  invalid_json: 'Guardpost could not read a message from the browser. Please report this to IT.',
  invalid_utf8: 'Guardpost could not read a message from the browser. Please report this to IT.',
  frame_too_large: 'This post is too long for Guardpost to check.',
  stream_corrupt: 'The connection to the Guardpost checker broke; it will restart.',
  bad_request: 'The extension and the Guardpost checker do not understand each other. Please report this to IT.',
  unknown_type: 'The Guardpost checker on this computer is too old for this extension. Please ask IT to update it.',
  text_too_large: 'This post is too long for Guardpost to check (over 256 KB).',
  rules_invalid: "Your organization's rule update was rejected; the previous rules are still in use.",
  internal: 'The Guardpost checker hit an internal problem. Please report this to IT.',
  // Codes made by the extension itself (not on the wire).
  timeout: 'The Guardpost checker did not answer in time.',
  superseded: 'A newer check replaced this one.',
  disconnected: 'The connection to the Guardpost checker closed.',
  unavailable: 'The Guardpost checker is not running.',
  policy_invalid: "Your organization's Guardpost settings could not be read.",
};

/** Sentence for a host error code (or one of the extension's own codes). */
export function describeCode(code) {
  return HOST_CODES[code] ?? 'Something went wrong while checking this post.';
}

const STATUS_WORDS = {
  [STATUS.CONNECTING]: 'Connecting to the Guardpost checker…',
  [STATUS.CONNECTED]: 'Posts are being checked.',
  [STATUS.HOST_MISSING]: 'The Guardpost checker is not installed on this computer, so posts are not being checked. Please contact IT.',
  [STATUS.HOST_CRASHED]: 'The Guardpost checker stopped, so posts are not being checked right now. It restarts with the next check.',
  [STATUS.HOST_ERROR]: 'The browser could not talk to the Guardpost checker, so posts are not being checked.',
};

/** Sentence for a connection state. */
export function describeStatus(state) {
  return STATUS_WORDS[state] ?? STATUS_WORDS[STATUS.HOST_ERROR];
}

/**
 * Classify why a native port closed.
 * @param {string|null|undefined} message  chrome.runtime.lastError.message or port.error.message
 * @param {boolean} everAnswered  whether the host had answered anything on this port
 * @returns {string} one of STATUS
 *
 * Chromium says "Specified native messaging host not found." for a missing manifest or binary and
 * "Native host has exited." both for a crash and for a binary that cannot be executed. Firefox says
 * "No such native application <name>" when the manifest is missing, "An unexpected error occurred"
 * when the binary is, and gives no error at all when the host crashes. So a port that closed before
 * the host ever answered counts as "missing", one that closed afterwards as "crashed".
 */
export function classifyDisconnect(message, everAnswered) {
  const m = String(message ?? '');
  if (/not found|No such native application|Invalid native messaging host name|forbidden/i.test(m)) {
    return STATUS.HOST_MISSING;
  }
  if (/Error when communicating/i.test(m)) return STATUS.HOST_ERROR;
  return everAnswered ? STATUS.HOST_CRASHED : STATUS.HOST_MISSING;
}

/** True for states in which posts are not being checked. */
export function isUnavailable(state) {
  return state !== STATUS.CONNECTED && state !== STATUS.CONNECTING;
}
