// Guardpost — the text of a composer, and where each character of it lives in the DOM.
//
// A textarea's text is its value. A contenteditable editor's text is built here from its text
// nodes, the way the employee sees it: each block element (a paragraph of Draft.js, Lexical,
// Quill or ProseMirror) is a line, <br> is a line break, and the trailing <br> that editors put
// in an empty or last line adds nothing. While building it records a segment per text node
// ({node, start, length}), so a finding's UTF-16 offsets map back to (node, offset) pairs with
// no guessing (offsets.js). innerText is not used: its output cannot be mapped back.
// Pure: it walks anything shaped like a DOM node (nodeType, nodeName, childNodes, data).
(function (GP) {
  'use strict';

  const BLOCK = new Set(['ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'DD', 'DIV', 'DL', 'DT',
    'FIELDSET', 'FIGCAPTION', 'FIGURE', 'FOOTER', 'FORM', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6',
    'HEADER', 'HR', 'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'TABLE', 'TR', 'UL']);
  const SKIP = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'IMG', 'SVG', 'VIDEO',
    'AUDIO', 'CANVAS', 'IFRAME', 'OBJECT', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA']);

  function isBlock(node) {
    return BLOCK.has(String(node.nodeName).toUpperCase());
  }

  // Flatten the tree into tokens: text, br, open, close (of block elements).
  function tokens(root, out, depth) {
    for (const child of root.childNodes ?? []) {
      if (child.nodeType === 3) {
        if (child.data) out.push({ t: 'text', node: child });
      } else if (child.nodeType === 1) {
        const name = String(child.nodeName).toUpperCase();
        if (SKIP.has(name)) continue;
        if (name === 'BR') { out.push({ t: 'br', node: child }); continue; }
        const block = isBlock(child);
        if (block) out.push({ t: 'open' });
        tokens(child, out, depth + 1);
        if (block) out.push({ t: 'close' });
      }
    }
    return out;
  }

  /**
   * Read a contenteditable element.
   * @returns {{text: string, segments: {node: object, start: number, length: number}[]}}
   */
  function readEditable(root) {
    const toks = tokens(root, [], 0);
    let text = '';
    let pendingBreak = false;
    const segments = [];
    const flush = () => {
      if (pendingBreak) { text += '\n'; pendingBreak = false; }
    };
    for (let i = 0; i < toks.length; i++) {
      const tok = toks[i];
      if (tok.t === 'text') {
        flush();
        segments.push({ node: tok.node, start: text.length, length: tok.node.data.length });
        text += tok.node.data;
      } else if (tok.t === 'br') {
        flush();
        if (!trailing(toks, i)) text += '\n';
      } else if (text.length > 0) {
        pendingBreak = true;   // a block starts or ends: the next content goes on a new line
      }
    }
    return { text, segments };
  }

  // A <br> is "trailing" when nothing but the end of its block (or of the editor) follows it.
  function trailing(toks, i) {
    for (let j = i + 1; j < toks.length; j++) {
      if (toks[j].t === 'close') return true;
      if (toks[j].t === 'open') return true;
      return false;
    }
    return true;
  }

  GP.text = { readEditable, isBlock };
})(globalThis.Guardpost ??= {});
