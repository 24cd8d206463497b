// Small DOM helpers. Text is only ever set through textContent / attributes: nothing read from a file is parsed as HTML.
// Names come from files anyone may have written, so every text and tooltip is also shown as inert plain text:
// control and format characters (ANSI escapes, CR/LF, NUL, bidi overrides, zero-width marks...) appear as visible
// escapes such as \x1b or \u202e instead of acting on the page, like Python's repr and the package's printouts.

/** Characters shown as escapes: controls, format characters, line/paragraph separators, lone surrogates, private
 * use and unassigned code points (the categories the printouts escape). */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Co}\p{Cn}]/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const NAMED = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };
/** Attributes whose value a person reads (tooltips, screen readers): shown as plain text too. */
const READ_ATTRIBUTES = new Set(["title", "aria-label", "placeholder"]);

function escapeCharacter(character) {
  if (NAMED[character]) return NAMED[character];
  const code = character.codePointAt(0);
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}

/**
 * `value` as inert plain text: each control or format character replaced by its escape (`\x1b`, `\r`, `\u202e`).
 * With `multiline`, line breaks and tabs are kept (tracebacks in a <pre>).
 * @param {unknown} value
 * @param {boolean} [multiline]
 */
export function plainText(value, multiline = false) {
  const text = value === undefined || value === null ? "" : String(value);
  if (PRINTABLE_ASCII.test(text)) return text; // the common case, without the Unicode property classes
  return text.replace(UNSAFE, (character) =>
    multiline && (character === "\n" || character === "\t") ? character : escapeCharacter(character),
  );
}

function isMultiline(node) {
  return node.tagName === "PRE" || node.tagName === "TEXTAREA";
}

/**
 * Create an element.
 * @param {string} tag
 * @param {{class?: string, text?: string, attrs?: Record<string, string>, on?: Record<string, Function>}} [options]
 * @param {Array<Node|null|undefined>} [children]
 */
export function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined && options.text !== null) node.textContent = plainText(options.text, isMultiline(node));
  if (options.attrs) {
    for (const [name, value] of Object.entries(options.attrs)) {
      if (value === undefined || value === null || value === false) continue;
      node.setAttribute(name, value === true ? "" : READ_ATTRIBUTES.has(name) ? plainText(value) : String(value));
    }
  }
  if (options.on) {
    for (const [event, handler] of Object.entries(options.on)) node.addEventListener(event, handler);
  }
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

/** Set the text of a node (as plain text, see plainText) only when it changed (avoids needless layout work). */
export function setText(node, text) {
  const value = plainText(text, isMultiline(node));
  if (node.textContent !== value) node.textContent = value;
}

/** Replace the children of a node. */
export function replaceChildren(node, children) {
  node.replaceChildren(...children.filter(Boolean));
}

/** Toggle a class only when needed. */
export function toggleClass(node, name, on) {
  if (node.classList.contains(name) !== Boolean(on)) node.classList.toggle(name, Boolean(on));
}

/** A function that runs `fn` once, `wait` ms after the last call; `.flush()` runs a pending call now. */
export function debounce(fn, wait) {
  let timer = null;
  let pendingArgs = null;
  const debounced = (...args) => {
    pendingArgs = args;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => debounced.flush(), wait);
  };
  debounced.flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pendingArgs !== null) {
      const args = pendingArgs;
      pendingArgs = null;
      fn(...args);
    }
  };
  debounced.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pendingArgs = null;
  };
  debounced.pending = () => pendingArgs !== null;
  return debounced;
}

/** Shape as text, e.g. "1000 × 4". */
export function shapeText(shape) {
  return shape ? shape.join(" × ") : "contiguous";
}

/** Set a tooltip (as plain text) only when it changed. */
export function setTitle(node, text) {
  const value = plainText(text);
  if (node.title !== value) node.title = value;
}
