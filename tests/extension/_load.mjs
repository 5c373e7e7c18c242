// Loads the extension's classic content scripts into this process, the way the browser does:
// in order, sharing the `Guardpost` namespace on the global object. No DOM is needed for the
// pure modules.
import { readFileSync } from 'node:fs';
import { runInThisContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../extension');

export function loadContent(...files) {
  for (const f of files) {
    const file = path.join(root, 'content', f);
    runInThisContext(readFileSync(file, 'utf8'), { filename: file });
  }
  return globalThis.Guardpost;
}

export function readJson(rel) {
  return JSON.parse(readFileSync(path.join(root, rel), 'utf8'));
}

// A minimal DOM-shaped tree for text.js/offsets.js.
export const t = (data) => ({ nodeType: 3, nodeName: '#text', data });
export const e = (name, ...children) => ({ nodeType: 1, nodeName: name.toUpperCase(), childNodes: children });
