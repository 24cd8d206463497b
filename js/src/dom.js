// Small DOM helpers. Text is only ever set through textContent / attributes: nothing read from a file is parsed as HTML.

/**
 * Create an element.
 * @param {string} tag
 * @param {{class?: string, text?: string, attrs?: Record<string, string>, on?: Record<string, Function>}} [options]
 * @param {Array<Node|null|undefined>} [children]
 */
export function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  if (options.attrs) {
    for (const [name, value] of Object.entries(options.attrs)) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  if (options.on) {
    for (const [event, handler] of Object.entries(options.on)) node.addEventListener(event, handler);
  }
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

/** Set the text of a node only when it changed (avoids needless layout work). */
export function setText(node, text) {
  const value = text === undefined || text === null ? "" : String(text);
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
